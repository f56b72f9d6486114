use crate::diagnostic::FixAction;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds the first line of a file that ends with CRLF (`\r\n`), as files written on
    /// Windows do. It reports once per file, not on every line.
    ///
    /// ## Why is this bad?
    /// JSON parsers skip the `\r` as whitespace, so the file most likely works; but no source
    /// says the platform accepts it, and a `\r` left inside other tools' splits corrupts the
    /// last value of each line.
    ///
    /// ## Example
    /// ```text
    /// {"messages": [...]}\r\n
    /// ```
    ///
    /// ## How to fix
    /// Convert to LF endings: `dos2unix train.jsonl`, or write with `newline="\n"`.
    ///
    /// ## Fix
    /// Safe: `vft fix` ends every line of the file with `\n` alone; the JSON is untouched.
    ///
    /// ## Source
    /// Spec §1 F8 (UNVERIFIED): "tolerate CRLF with a warning".
    code: "VFT005",
    name: "crlf-line-ending",
    category: Input,
    severity: Warning,
    fix: Safe,
    summary: "The file has CRLF (Windows) line endings",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    if let LineEvent::FirstCrlf { offset } = *event {
        report
            .at_byte(offset, "line ends with CRLF (`\\r\\n`)")
            .help("convert the file to LF line endings (`dos2unix`); later CRLF lines in this file are not reported")
            .fix(FixAction::StripCarriageReturns);
    }
}
