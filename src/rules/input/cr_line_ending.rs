use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds a line that is several lines ended by a lone CR (`\r`, as classic Mac OS and
    /// some exporters write them) instead of LF: read on `\n`, a whole CR-only file is one
    /// line, and it is not valid JSON. Such a line gets this one diagnostic and no other
    /// per-line check (not `invalid-json`, not `crlf-line-ending`). A `\r` inside a line
    /// that is valid JSON is whitespace between tokens and is not reported.
    ///
    /// ## Why is this bad?
    /// JSON Lines separates lines with `\n` only, and vft reads the file the same way:
    /// the examples run together into one invalid "line" (and the file seems to have one
    /// example). What the platform does with lone CRs is UNVERIFIED: a reader that splits on
    /// `\n` (as JSON Lines says) sees one invalid example and rejects the file; one that
    /// splits on universal newlines would see the examples.
    ///
    /// ## Example
    /// ```text
    /// {"messages": [...]}\r{"messages": [...]}\r
    /// ```
    ///
    /// ## How to fix
    /// Convert the line endings to LF: `mac2unix train.jsonl`, or `tr '\r' '\n'`, or write
    /// the file with `newline="\n"`.
    ///
    /// ## Source
    /// JSON Lines, <https://jsonlines.org/>: "Line Separator is '\n'". Spec §1 F8: line
    /// endings have no primary source for the platform (UNVERIFIED).
    code: "VFT015",
    name: "cr-line-ending",
    category: Input,
    severity: Error,
    summary: "Lines end with a lone CR (classic Mac OS), so the file reads as one line",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    if let LineEvent::CrOnly { offset, lines } = *event {
        report
            .at_byte(
                offset,
                format!(
                    "lines end with a lone CR (`\\r`), not LF: this line holds {} CR-separated lines",
                    thousands(lines)
                ),
            )
            .help("convert the file to LF line endings (`mac2unix`, or `tr '\\r' '\\n'`)");
    }
}
