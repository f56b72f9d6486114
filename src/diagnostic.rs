//! The diagnostic model: plain data that rules produce and renderers print.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use clap::ValueEnum;
use serde::Serialize;

use crate::input::JsonPointer;
use crate::rules::Rule;
use crate::tokens::TokenSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, located and ready to render.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    /// The effective severity (the rule's default unless configured otherwise).
    pub severity: Severity,
    /// What is wrong, naming the value: lowercase, no trailing period, values in backticks.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    pub location: Location,
    /// A window of the offending line, for human output; never a whole multi-MB line.
    pub snippet: Option<Snippet>,
}

/// Where a finding is: file, 1-based line and column, and the JSON pointer of the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as the user gave it (`-` is shown as `<stdin>`).
    pub file: Arc<str>,
    /// 1-based line; `None` for findings about the whole file.
    pub line: Option<u64>,
    /// 1-based column in Unicode code points; `None` when no position in the line applies.
    pub column: Option<u64>,
    /// RFC 6901 pointer of the offending value within the line's JSON.
    pub pointer: Option<JsonPointer>,
}

/// A short excerpt of the offending line with the span to underline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Byte range within `text` to underline.
    pub span: Range<usize>,
}

/// Lines up to this many bytes are shown whole; longer ones as a window around the span.
const SNIPPET_WHOLE_LINE: usize = 160;
/// Bytes kept before the span's start, and at most after it, in a window.
const SNIPPET_BEFORE: usize = 60;
const SNIPPET_AFTER: usize = 100;

impl Snippet {
    /// An excerpt of `line` around `span` (byte offsets into `line`).
    pub fn around(line: &str, span: Range<usize>) -> Self {
        if line.len() <= SNIPPET_WHOLE_LINE {
            return Self {
                text: line.to_owned(),
                span,
            };
        }
        let start = floor_char_boundary(line, span.start.saturating_sub(SNIPPET_BEFORE));
        let end = floor_char_boundary(line, (span.start + SNIPPET_AFTER).min(line.len()));
        let mut text = String::with_capacity(end - start + 6);
        if start > 0 {
            text.push('…');
        }
        let shift = text.len();
        text.push_str(&line[start..end]);
        let span_start = span.start - start + shift;
        let span_end = span.end.min(end) - start + shift;
        if end < line.len() {
            text.push('…');
        }
        Self {
            text,
            span: span_start..span_end.max(span_start),
        }
    }
}

/// The largest char boundary at or below `at` (`str::floor_char_boundary` is not stable on
/// every toolchain vft supports).
pub(crate) fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Totals for one run, over every file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: u64,
    /// Non-blank lines.
    pub examples: u64,
    pub examples_with_images: u64,
    pub images: u64,
    pub errors: u64,
    pub warnings: u64,
    pub infos: u64,
    /// Findings per rule code, in code order.
    pub rules: BTreeMap<&'static str, RuleCount>,
    /// Findings counted above but not shown because of a display cap (`--max-per-rule`,
    /// `--max-diagnostics`); `--quiet` hides all and does not count here.
    pub hidden: u64,
    /// Why vft could not check a file (it was not found, could not be read), one entry
    /// per file; such a run exits 2.
    pub failures: Vec<String>,
    /// Token figures over every example that could be counted (`vft check` fills it).
    pub tokens: Option<TokenSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    pub name: &'static str,
    pub severity: Severity,
    pub count: u64,
}

impl Summary {
    pub fn count(&mut self, diagnostic: &Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        self.rules
            .entry(diagnostic.rule.code)
            .or_insert(RuleCount {
                name: diagnostic.rule.name,
                severity: diagnostic.severity,
                count: 0,
            })
            .count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        let s = Snippet::around("{\"a\":1}", 5..6);
        assert_eq!(s.text, "{\"a\":1}");
        assert_eq!(s.span, 5..6);
    }

    #[test]
    fn long_lines_show_a_window_with_the_span_inside() {
        let line = format!(
            "{{\"url\":\"data:image/png;base64,{}\",\"detail\":\"x\"}}",
            "A".repeat(10_000)
        );
        let at = line.find("\"x\"").unwrap();
        let s = Snippet::around(&line, at..at + 3);
        assert!(s.text.starts_with('…') && !s.text.ends_with('…'));
        assert_eq!(&s.text[s.span.clone()], "\"x\"");
        assert!(s.text.len() < 200);

        let url = line.find("\"data").unwrap();
        let s = Snippet::around(&line, url..line.len() - 16);
        assert!(s.text.starts_with("{\"url\":\"data:image/png") && s.text.ends_with('…'));
        assert_eq!(s.span.end, s.text.len() - '…'.len_utf8());
    }

    #[test]
    fn windows_never_split_a_character() {
        let line = "é".repeat(500);
        let s = Snippet::around(&line, 500..502);
        assert!(s.text.chars().all(|c| c == 'é' || c == '…'));
    }
}
