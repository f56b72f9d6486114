use serde_json::error::Category;

use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds lines that are not one complete JSON value: syntax errors, a value cut off
    /// before its end (often the last line of a truncated file), or text after the value.
    /// Such a line gets this one diagnostic and no other per-line check.
    ///
    /// ## Why is this bad?
    /// The file must be JSON Lines, "one complete JSON structure on every line". The
    /// platform rejects the whole file: "Invalid file format. Example 1273 cannot be parsed.
    /// Error: line contains invalid json".
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}
    /// ```
    ///
    /// ## How to fix
    /// Write each example with a JSON serializer (`json.dumps(example)`), one per line, and
    /// make sure the file was written out completely. Pretty-printed JSON spanning several
    /// lines is not JSON Lines.
    ///
    /// ## Source
    /// Spec §1 F1; observed error texts in §9.2.
    code: "VFT002",
    name: "invalid-json",
    category: Input,
    severity: Error,
    summary: "A line is not one complete JSON value",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    let LineEvent::InvalidJson {
        error,
        text,
        unterminated,
    } = *event
    else {
        return;
    };
    // Lines hold no newline, so serde_json's position is always on its line 1; its column
    // counts bytes.
    let offset = error.column().saturating_sub(1).min(text.len());
    let (message, help) = if error.classify() == Category::Eof {
        let help = if unterminated {
            "the file may have been cut off while being written: regenerate it, or drop the incomplete last line"
        } else {
            "write each example as one line with a JSON serializer, e.g. `json.dumps(example)`"
        };
        (
            "line ends before its JSON value is complete".to_owned(),
            help,
        )
    } else {
        (
            format!("invalid JSON: {}", strip_position(&error.to_string())),
            "write each example as one line with a JSON serializer, e.g. `json.dumps(example)`",
        )
    };
    report.at_byte(offset, message).help(help);
}

/// serde_json appends " at line L column C"; vft reports the position itself.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}
