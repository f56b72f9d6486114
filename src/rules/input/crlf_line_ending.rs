use crate::diagnostic::FixAction;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds the first line of a file that ends with CRLF (`\r\n`), as files written on
    /// Windows do. It reports once per file, not on every line.
    ///
    /// ## Why is this bad?
    /// It is not, for the platform: JSON parsers skip the `\r` as whitespace, and Azure OpenAI
    /// trained on such a file (see Source). So this is information, not a warning. It matters
    /// to other tools: a line-oriented script that splits on `\n` and does not parse JSON
    /// keeps a `\r` at the end of every line, and a diff against an LF copy shows every line.
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
    /// Spec §1 F8 (UNVERIFIED, no primary source) recommends "tolerate CRLF with a warning".
    /// vft reports it as info instead, on this evidence: the notebook of
    /// retkowsky/Azure-OpenAI-demos (`Fine Tuning/Fine Tuning model.ipynb`) uploads its
    /// `training_set.jsonl`, whose lines end with CRLF, and its saved output shows the job
    /// `"status": "succeeded"` with 1,048 trained tokens (gpt-35-turbo-0613, 2023); the file
    /// is `az-tutorial-crlf.jsonl` of the real-world corpus (`fixtures/realworld/PROVENANCE.md`).
    /// No OpenAI source either way (UNVERIFIED for OpenAI).
    code: "VFT005",
    name: "crlf-line-ending",
    category: Input,
    severity: Info,
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
