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
//! GitHub shows a limited number of annotations per step, so the plain summary follows.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Severity};
use crate::render::Emitter;
use crate::summary::Summary;

pub struct GithubEmitter<'w> {
    out: Box<dyn Write + 'w>,
    base: Option<PathBuf>,
}

impl<'w> GithubEmitter<'w> {
    pub fn new(out: Box<dyn Write + 'w>, base: Option<PathBuf>) -> Self {
        Self { out, base }
    }
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
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let file = super::relative_path(&d.location.file, self.base.as_deref());
        let position = match (d.location.line, d.location.column) {
            (Some(line), Some(column)) => format!(",line={line},col={column}"),
            (Some(line), None) => format!(",line={line}"),
            _ => String::new(),
        };
        let properties = format!("file={}{position}", escape_property(&file));
        let title = format!("{} {}", d.rule.code, d.rule.name);
        let mut message = d.full_message().into_owned();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            self.out,
            "::{command} {properties},title={}::{}",
            escape_property(&title),
            escape_data(&message)
        )
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        super::write_summary(&mut self.out, summary)?;
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
}
