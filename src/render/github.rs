//! `--format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations on the pull request's diff.
//!
//! ```text
//! ::error file=data/train.jsonl,line=3,col=298,title=VFT202 invalid-image-detail::image detail `medium` is not …%0Ahelp: use `low` …
//! ```
//!
//! Severity maps error → `::error`, warning → `::warning`, info → `::notice`. Data is
//! escaped as the runner and `@actions/core` do: `%`, CR and LF in the message, and also
//! `:` and `,` in property values (the file path, the title). Paths are made relative to
//! `$GITHUB_WORKSPACE` (or the working directory) so annotations land on the right file.
//!
//! GitHub shows at most 10 annotations of each level (error, warning, notice) per step
//! and drops the rest in the order they were written (actions/toolkit,
//! docs/problem-matchers.md, "Limitations"). Written in input order, the 10 would often
//! all be one systematic rule's. So the commands are held back and written at the end:
//! errors, then warnings, then notices; within a level one finding of each rule (in code
//! order) before a second of any, and no more than GitHub shows. A plain line then says
//! how many findings of the level were not annotated, per rule, and the summary follows.
//! Memory stays bounded: per rule at most [`ANNOTATIONS_PER_LEVEL`] commands are kept,
//! the rest only counted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::render::emitter::Emitter;
use crate::render::escape::escape_controls_except;
use crate::summary::Summary;

/// Annotations of one level GitHub shows per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// The levels in the order they are written, with their command and plural noun.
const LEVELS: [(&str, &str, &str); 3] = [
    ("error", "error", "errors"),
    ("warning", "warning", "warnings"),
    ("notice", "notice", "notices"),
];

/// One rule's findings at one level: the first commands, and how many in all.
#[derive(Default)]
struct RuleCommands {
    first: Vec<String>,
    count: u64,
}

pub struct GithubEmitter<'w> {
    out: Box<dyn Write + 'w>,
    base: Option<PathBuf>,
    /// Per level (index into [`LEVELS`]), per rule code in code order.
    levels: [BTreeMap<&'static str, RuleCommands>; 3],
    /// The last file named and its workspace path (diagnostics come file by file).
    last_file: Option<(String, String)>,
}

impl<'w> GithubEmitter<'w> {
    pub fn new(out: Box<dyn Write + 'w>, base: Option<PathBuf>) -> Self {
        Self {
            out,
            base,
            levels: Default::default(),
            last_file: None,
        }
    }

    fn file(&mut self, file: &str) -> String {
        if let Some((name, path)) = &self.last_file
            && name == file
        {
            return path.clone();
        }
        let path = workspace_path(file, self.base.as_deref());
        self.last_file = Some((file.to_owned(), path.clone()));
        path
    }

    /// Writes one level's commands, one per rule per round, at most
    /// [`ANNOTATIONS_PER_LEVEL`]; then how many were not annotated, per rule.
    fn write_level(&mut self, level: usize) -> io::Result<()> {
        let (_, one, many) = LEVELS[level];
        let rules = &self.levels[level];
        let mut shown = vec![0_usize; rules.len()];
        let mut written = 0;
        for round in 0..ANNOTATIONS_PER_LEVEL {
            for (index, commands) in rules.values().enumerate() {
                if written == ANNOTATIONS_PER_LEVEL {
                    break;
                }
                if let Some(command) = commands.first.get(round) {
                    writeln!(self.out, "{command}")?;
                    shown[index] += 1;
                    written += 1;
                }
            }
        }
        let mut unannotated = 0;
        let mut per_rule = String::new();
        for ((code, commands), shown) in rules.iter().zip(shown) {
            let rest = commands.count - shown as u64;
            if rest > 0 {
                unannotated += rest;
                let separator = if per_rule.is_empty() { "" } else { ", " };
                let _ = write!(per_rule, "{separator}{code} {rest}");
            }
        }
        if unannotated == 0 {
            return Ok(());
        }
        writeln!(
            self.out,
            "{} not annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} {many} per step): {per_rule}",
            crate::numbers::count(unannotated, one, many),
        )
    }
}

/// The path of `file` (as given, relative to the working directory) relative to the
/// workspace `base`: both are made absolute and canonical first, so a run from a
/// subdirectory, through `../` or a symlink still names the file as the workspace does.
fn workspace_path(file: &str, base: Option<&Path>) -> String {
    let canonical = |path: &Path| {
        std::fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.to_owned())
    };
    let Some(base) = base else {
        return super::paths::relative_path(file, None);
    };
    let path = Path::new(file);
    if file == "-" || file.starts_with('<') || !path.exists() {
        // Standard input, or nothing on disk to resolve.
        return super::paths::relative_path(file, Some(base));
    }
    let absolute = canonical(path);
    super::paths::relative_path(&absolute.to_string_lossy(), Some(&canonical(base)))
}

/// Escapes control characters other than CR and LF (which [`escape_data`] encodes): the
/// runner echoes the log to terminals, where a raw ESC would start a control sequence.
pub fn escape_terminal(text: &str) -> String {
    escape_controls_except(text, &['\r', '\n']).into_owned()
}

/// Escapes a command's message (`escapeData` in `@actions/core`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`escapeProperty` in `@actions/core`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

impl Emitter for GithubEmitter<'_> {
    fn emit(&mut self, d: &Diagnostic) -> io::Result<()> {
        let level = match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        let commands = self.levels[level].entry(d.rule.code).or_default();
        commands.count += 1;
        if commands.first.len() >= ANNOTATIONS_PER_LEVEL {
            return Ok(());
        }
        let command = LEVELS[level].0;
        let file = escape_terminal(&self.file(&d.location.file));
        let position = match (d.location.line, d.location.column) {
            (Some(line), Some(column)) => format!(",line={line},col={column}"),
            (Some(line), None) => format!(",line={line}"),
            _ => String::new(),
        };
        let properties = format!("file={}{position}", escape_property(&file));
        let title = format!("{} {}", d.rule.code, d.rule.name);
        let mut message = escape_terminal(&d.full_message());
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&escape_terminal(help));
        }
        self.levels[level]
            .entry(d.rule.code)
            .or_default()
            .first
            .push(format!(
                "::{command} {properties},title={}::{}",
                escape_property(&title),
                escape_data(&message)
            ));
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        for level in 0..LEVELS.len() {
            self.write_level(level)?;
        }
        super::summary::write_summary(&mut self.out, summary)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_actions_toolkit() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("100% a:b,c\nd"), "100%25 a%3Ab%2Cc%0Ad");
    }

    #[test]
    fn esc_and_other_controls_are_escaped_but_line_breaks_left_to_escape_data() {
        assert_eq!(
            escape_data(&escape_terminal("a\u{1b}]0;x\u{7}\nb")),
            "a\\u{1b}]0;x\\u{7}%0Ab"
        );
    }

    #[test]
    fn paths_name_the_file_relative_to_the_workspace_from_any_directory() {
        let workspace = tempfile::tempdir().unwrap();
        let sub = workspace.path().join("gh");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("pct.jsonl"), "").unwrap();
        let file = sub.join("pct.jsonl");
        let base = Some(workspace.path());
        assert_eq!(
            workspace_path(&file.to_string_lossy(), base),
            "gh/pct.jsonl"
        );
        let dotted = sub.join("../gh/./pct.jsonl");
        assert_eq!(
            workspace_path(&dotted.to_string_lossy(), base),
            "gh/pct.jsonl"
        );
        assert_eq!(workspace_path("<stdin>", base), "<stdin>");
    }
}
