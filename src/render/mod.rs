//! Output formats. Each is one small module behind [`Emitter`]; the diagnostic model knows
//! nothing of them. [`cap::Capped`] wraps any of them to limit what is shown.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use clap::ValueEnum;

use crate::diagnostic::{Diagnostic, RuleMeta};
use crate::summary::Summary;

pub mod cap;
pub mod concise;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod statistics;
pub mod stats;

/// Receives diagnostics in input order, then the summary.
pub trait Emitter {
    fn emit(&mut self, diagnostic: &Diagnostic) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Diagnostics with the offending line and the value underlined, then a summary.
    #[default]
    Human,
    /// One line per diagnostic, `file:line:col: CODE [severity] message`, then a summary.
    Concise,
    /// JSON Lines: one object per diagnostic, then a summary object (a stable contract).
    Json,
    /// GitHub Actions workflow commands: an annotation per diagnostic, then a summary.
    Github,
    /// One SARIF 2.1.0 log (for code scanning, e.g. GitHub's `upload-sarif`).
    Sarif,
}

impl OutputFormat {
    /// Whether the format is for machines that want every finding by default (no per-rule
    /// display cap unless one is asked for).
    pub fn is_complete_by_default(self) -> bool {
        matches!(self, OutputFormat::Json | OutputFormat::Sarif)
    }
}

/// Where output goes and what the emitters need to know about the run's environment.
pub struct Sink<'w> {
    pub out: Box<dyn Write + 'w>,
    /// Colour human output.
    pub color: bool,
    /// The directory paths are made relative to, for GitHub and SARIF (the working
    /// directory, or `$GITHUB_WORKSPACE` for GitHub).
    pub base: Option<PathBuf>,
    /// Every rule, in id order, for formats that describe them all (SARIF).
    pub rules: Vec<&'static RuleMeta>,
}

/// The emitter for `format`.
pub fn emitter<'w>(format: OutputFormat, sink: Sink<'w>) -> Box<dyn Emitter + 'w> {
    let Sink {
        out,
        color,
        base,
        rules,
    } = sink;
    match format {
        OutputFormat::Human => Box::new(human::HumanEmitter::new(out, color)),
        OutputFormat::Concise => Box::new(concise::ConciseEmitter::new(out)),
        OutputFormat::Json => Box::new(json::JsonEmitter::new(out)),
        OutputFormat::Github => Box::new(github::GithubEmitter::new(out, base)),
        OutputFormat::Sarif => Box::new(sarif::SarifEmitter::new(out, base, rules)),
    }
}

/// The closing summary of the text formats: totals, then findings per rule.
pub(crate) fn write_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    let files = plural(s.files, "file", "files");
    let examples = plural(s.examples, "example", "examples");
    let images = plural(s.images, "image", "images");
    let methods = method_counts(s);
    writeln!(
        out,
        "Checked {files}{methods}: {examples}, {} with images, {images}",
        s.examples_with_images
    )?;
    if let Some(tokens) = &s.tokens {
        writeln!(out, "{}", tokens.headline())?;
    }
    if s.rules.is_empty() {
        return writeln!(out, "No problems found");
    }
    let errors = plural(s.errors, "error", "errors");
    let warnings = plural(s.warnings, "warning", "warnings");
    writeln!(out, "Found {errors}, {warnings}, {} info", s.infos)?;
    let width = s.rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for rule in s.rules.iter() {
        writeln!(
            out,
            "  {} {:<width$}  {:>7} {}",
            rule.code, rule.name, rule.count, rule.severity
        )?;
    }
    if s.hidden > 0 {
        writeln!(
            out,
            "{} not shown (--max-per-rule, --max-diagnostics; 0 shows all)",
            plural(s.hidden, "finding", "findings"),
        )?;
    }
    Ok(())
}

/// The training methods the files were checked as: " (SFT)", or " (SFT 2, DPO 1)" when
/// they differ; empty when no file was checked.
fn method_counts(s: &Summary) -> String {
    if let Some(method) = s.method() {
        return format!(" ({})", method.name().to_ascii_uppercase());
    }
    let counts: Vec<String> = crate::method::Method::ALL
        .iter()
        .filter_map(|&method| {
            let n = s.methods.iter().filter(|(_, m)| *m == method).count();
            (n > 0).then(|| format!("{} {n}", method.name().to_ascii_uppercase()))
        })
        .collect();
    if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    }
}

pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A diagnostic's file as CI tools want it: relative to `base` when it lies inside it
/// (`.` and `..` resolved against `base`), with forward slashes. Paths outside `base` are
/// absolute; without a base, the path is kept as given.
pub(crate) fn relative_path(file: &str, base: Option<&Path>) -> String {
    let Some(base) = base else {
        return file.replace('\\', "/");
    };
    let mut resolved = PathBuf::new();
    for component in base.join(file).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => resolved.push(other),
        }
    }
    let path = resolved.strip_prefix(base).unwrap_or(&resolved);
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_with_forward_slashes() {
        let base = Path::new("/work/repo");
        assert_eq!(
            relative_path("/work/repo/data/train.jsonl", Some(base)),
            "data/train.jsonl"
        );
        assert_eq!(
            relative_path("./data/train.jsonl", Some(base)),
            "data/train.jsonl"
        );
        assert_eq!(
            relative_path("/elsewhere/a.jsonl", Some(base)),
            "/elsewhere/a.jsonl"
        );
        assert_eq!(
            relative_path("data/../b/./a.jsonl", Some(base)),
            "b/a.jsonl"
        );
        assert_eq!(
            relative_path("../other/a.jsonl", Some(base)),
            "/work/other/a.jsonl"
        );
        assert_eq!(relative_path("./a,b.jsonl", None), "./a,b.jsonl");
        assert_eq!(relative_path("<stdin>", Some(base)), "<stdin>");
    }
}
