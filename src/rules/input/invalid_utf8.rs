use crate::rules::{Check, Finding, Position, RulePlan, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds lines that are not valid UTF-8, and names the first bad byte and its offset in
    /// the file. The rest of the file is still checked.
    ///
    /// ## Why is this bad?
    /// Both platforms read training files as UTF-8 text (Azure: "must be encoded in UTF-8");
    /// a line in another encoding (Latin-1, Windows-1252, UTF-16) cannot be parsed.
    ///
    /// ## Example
    /// A line saved as Latin-1, where `é` is the single byte `0xE9`:
    /// ```text
    /// {"messages":[{"role":"user","content":"caf\xE9"}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Re-encode the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.jsonl > out.jsonl`, or
    /// write it with `open(path, "w", encoding="utf-8")`.
    ///
    /// ## Source
    /// Spec §1 F1 and F6 (AZ-REST "encoded in UTF-8"); §11 "invalid UTF-8 | error".
    code: "VFT001",
    name: "invalid-utf8",
    category: Input,
    severity: Error,
    summary: "A line is not valid UTF-8",
    check: Check::Line,
}

/// `offset` is the bad byte's offset in the line, `file_offset` in the file.
pub fn finding(plan: &RulePlan, offset: usize, file_offset: u64, byte: u8) -> Option<Finding> {
    let message = format!("invalid UTF-8 byte `0x{byte:02X}` at byte {file_offset} of the file");
    let mut finding = plan.finding(&RULE, message, Position::Byte(offset))?;
    finding.help("save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`); the rest of this line is not checked");
    Some(finding)
}
