use crate::diagnostic::FixAction;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;
use crate::target::Target;

declare_rule! {
    /// ## What it does
    /// With `--target azure`, notes that the file does not start with a UTF-8 byte-order
    /// mark.
    ///
    /// ## Why is this bad?
    /// Azure's REST guide says training files "must be encoded in UTF-8 and include a
    /// byte-order mark (BOM)". The sentence dates from the GPT-3 era and BOM-less files are
    /// widely reported to work, so this is information, not an error.
    ///
    /// ## Example
    /// Any file written with `encoding="utf-8"`.
    ///
    /// ## How to fix
    /// Nothing, most likely. To follow the docs to the letter, write with
    /// `encoding="utf-8-sig"`.
    ///
    /// ## Fix
    /// Safe: `vft fix --target azure` writes the file with a BOM, as Azure's docs ask.
    ///
    /// ## Source
    /// Spec §1 F6 (AZ-REST) and §11 "Azure mode and no BOM | info".
    code: "VFT007",
    name: "missing-byte-order-mark",
    category: Input,
    severity: Info,
    fix: Safe,
    summary: "Azure's docs ask for a UTF-8 BOM and the file has none",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    if file.target == Target::Azure && !file.has_bom && file.bytes > 0 {
        report
            .file("file has no UTF-8 byte-order mark, which Azure's docs ask for")
            .help("files without a BOM are widely reported to work; write with `encoding=\"utf-8-sig\"` to follow the docs")
            .fix(FixAction::AddByteOrderMark);
    }
}
