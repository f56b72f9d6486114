use crate::diagnostic::FixAction;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;
use crate::target::Target;

declare_rule! {
    /// ## What it does
    /// With `--target openai`, reports a UTF-8 byte-order mark (`EF BB BF`) at the start of
    /// the file.
    ///
    /// ## Why is this bad?
    /// OpenAI's docs say nothing about a BOM, and a JSON parser that is not told to expect
    /// one rejects the first line (Python: "Unexpected UTF-8 BOM"). If the platform parses
    /// that way, line 1 fails and with it the file. Azure's docs ask for a BOM, so the rule
    /// is silent with `--target azure`.
    ///
    /// ## Example
    /// A file saved by Notepad or Excel "UTF-8 with BOM".
    ///
    /// ## How to fix
    /// Save as plain UTF-8: `sed -i '1s/^\xEF\xBB\xBF//' train.jsonl`, or write with
    /// `encoding="utf-8"` (not `"utf-8-sig"`).
    ///
    /// ## Fix
    /// Safe: `vft fix` writes the file without the BOM (with `--target openai`).
    ///
    /// ## Source
    /// Spec §1 F6 and §10.5: OpenAI silent, Azure asks for a BOM. UNVERIFIED that OpenAI
    /// rejects it, hence a warning.
    code: "VFT006",
    name: "unexpected-byte-order-mark",
    category: Input,
    severity: Warning,
    fix: Safe,
    summary: "The file starts with a UTF-8 BOM, which OpenAI's docs do not mention",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    // Azure's docs ask for the BOM (`missing-byte-order-mark`); only OpenAI's do not.
    if let LineEvent::ByteOrderMark = event
        && report.target() == Target::OpenAi
    {
        report
            .at_byte(0, "file starts with a UTF-8 byte-order mark")
            .help("save the file as UTF-8 without BOM; strict JSON parsers reject line 1 otherwise")
            .fix(FixAction::RemoveByteOrderMark);
    }
}
