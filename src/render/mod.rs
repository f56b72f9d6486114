//! Output formats. Each is one small module behind [`Emitter`]; the diagnostic model knows
//! nothing of them. [`cap::Capped`] wraps any of them to limit what is shown.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::diagnostic::RuleMeta;

pub mod cap;
pub mod concise;
pub mod emitter;
pub mod escape;
mod forecast;
pub mod github;
pub mod human;
pub mod json;
mod paths;
pub mod sarif;
pub mod statistics;
pub mod stats;
mod summary;

pub use self::emitter::Emitter;

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
