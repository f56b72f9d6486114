use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

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
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    let LineEvent::InvalidUtf8 {
        offset,
        file_offset,
        byte,
    } = *event
    else {
        return;
    };
    report
        .at_byte(
            offset,
            format!("invalid UTF-8 byte `0x{byte:02X}` at byte {file_offset} of the file"),
        )
        .help("save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`); the rest of this line is not checked");
}
