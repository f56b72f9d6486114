use crate::rules::{Check, Finding, Position, RulePlan, declare_rule};

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
    /// ## Source
    /// Spec §1 F8 (UNVERIFIED): "tolerate CRLF with a warning".
    code: "VFT005",
    name: "crlf-line-ending",
    category: Input,
    severity: Warning,
    summary: "The file has CRLF (Windows) line endings",
    check: Check::Line,
}

/// `offset` is where the `\r` stands in the line.
pub fn finding(plan: &RulePlan, offset: usize) -> Option<Finding> {
    let message = "line ends with CRLF (`\\r\\n`)".to_owned();
    let mut finding = plan.finding(&RULE, message, Position::Byte(offset))?;
    finding.help("convert the file to LF line endings (`dos2unix`); later CRLF lines in this file are not reported");
    Some(finding)
}
