//! Findings to diagnostics: a finding's [`Position`] resolved against the raw line into a
//! line, column, pointer and snippet.

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, Snippet, floor_char_boundary};
use crate::input::{self, RawLine, SpanTarget};
use crate::rules::{Finding, Position};

pub(super) fn into_diagnostic(
    finding: Finding,
    location: Location,
    snippet: Option<Snippet>,
) -> Diagnostic {
    Diagnostic {
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        help: finding.help,
        location,
        snippet,
        image_url: None,
        fix: finding.fix,
        occurrences: None,
    }
}

/// Locates a finding in `text`, the line as UTF-8 (without its line ending).
pub(super) fn in_line(
    finding: Finding,
    text: &str,
    line: &RawLine<'_>,
    file: &Arc<str>,
) -> Diagnostic {
    let (pointer, span) = match &finding.position {
        Position::Pointer(pointer, target) => (
            Some(pointer.clone()),
            input::pointer::resolve(text, pointer, *target),
        ),
        Position::InString(pointer, range) => (
            Some(pointer.clone()),
            input::pointer::resolve(text, pointer, SpanTarget::Value)
                .map(|string| in_string(text, string, range)),
        ),
        Position::Byte(at) => (None, Some(point_span(text, *at))),
        Position::Line => (None, Some(0..text.len())),
        Position::File => (None, None),
    };
    let column = span.as_ref().map(|s| column_at(text, s.start));
    let snippet = span.map(|span| Snippet::around(text, span));
    let location = Location {
        file: file.clone(),
        line: Some(line.number),
        column,
        pointer,
    };
    into_diagnostic(finding, location, snippet)
}

/// Locates findings on a line that is not UTF-8, at its first bad byte `at`: the column
/// counts the valid prefix, and the snippet shows the bytes around the error with
/// replacement characters.
pub(super) fn in_invalid_utf8(
    finding: Finding,
    bytes: &[u8],
    at: usize,
    line: &RawLine<'_>,
    file: &Arc<str>,
) -> Diagnostic {
    let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let column = column_at(valid, valid.len());
    let window_start = floor_char_boundary(valid, at.saturating_sub(60));
    let before = &valid[window_start..];
    let after = String::from_utf8_lossy(&bytes[at..bytes.len().min(at + 40)]);
    let text = format!("{before}{after}");
    let bad = after.chars().next().map_or(0, char::len_utf8);
    let snippet = Snippet::around(&text, before.len()..before.len() + bad);
    let location = Location {
        file: file.clone(),
        line: Some(line.number),
        column: Some(column),
        pointer: None,
    };
    into_diagnostic(finding, location, Some(snippet))
}

/// Locates findings about the start of the file (a byte-order mark): line 1, column 1.
pub(super) fn at_file_start(findings: Vec<Finding>, file: &Arc<str>) -> Vec<Diagnostic> {
    findings
        .into_iter()
        .map(|finding| {
            let location = Location {
                file: file.clone(),
                line: Some(1),
                column: Some(1),
                pointer: None,
            };
            into_diagnostic(finding, location, None)
        })
        .collect()
}

/// The 1-based column, in characters, of byte `at` of `text`.
pub(super) fn column_at(text: &str, at: usize) -> u64 {
    text[..at].chars().count() as u64 + 1
}

/// The span in the line of bytes `range` of the value of the string at `string`; an empty
/// range (a parse error's position) widens to the character there.
fn in_string(text: &str, string: Range<usize>, range: &Range<usize>) -> Range<usize> {
    let token = &text[string.clone()];
    let start = string.start + input::pointer::offset_in_string(token, range.start);
    if range.is_empty() {
        return point_span(text, start);
    }
    let end = string.start + input::pointer::offset_in_string(token, range.end);
    start..end.max(start)
}

/// A one-character span at byte `at` (empty at the end of the line).
fn point_span(text: &str, at: usize) -> Range<usize> {
    let at = floor_char_boundary(text, at);
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    at..at + len
}
