use crate::numbers;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;

declare_rule! {
    /// ## What it does
    /// Finds a file whose lines are not fine-tuning examples at all: most of its first
    /// lines (up to 100) are neither chat examples (`messages`) nor DPO examples (`input`,
    /// `preferred_output`, `non_preferred_output`). It names what the lines look like
    /// (the legacy `prompt`/`completion` format, `question`/`answer` pairs, Alpaca-style
    /// `instruction`/`output` records, a conversation under `conversations`, or the keys
    /// they have) and reports once, for the file: such lines are not checked one by one,
    /// since each would only repeat this. Lines of the file that are chat or DPO examples
    /// are still checked.
    ///
    /// ## Why is this bad?
    /// The platform rejects the whole file: "Unexpected file format, expected either
    /// prompt/completion pairs or chat messages". The prompt/completion format it names
    /// trains only the legacy completion models (babbage-002, davinci-002), not gpt-4o or
    /// gpt-4.1.
    ///
    /// ## Example
    /// ```jsonl
    /// {"question": "Is the sky green?", "answer": "No."}
    /// ```
    ///
    /// ## How to fix
    /// Convert each line to a chat example:
    /// `{"messages": [{"role": "user", "content": "Is the sky green?"}, {"role": "assistant", "content": "No."}]}`.
    ///
    /// ## Source
    /// Spec §2.1 (the chat format's keys; prompt/completion only for babbage-002 and
    /// davinci-002) and §9.2 (the server's text). `fixtures/realworld/BEFORE.md` #12
    /// (Microsoft's `qa.jsonl` and a legacy Azure sample: 2,000 and 712 findings before).
    code: "VFT410",
    name: "wrong-file-format",
    category: File,
    severity: Error,
    summary: "The file's lines are not fine-tuning examples (prompt/completion, question/answer…)",
    check: Check::File(check),
}

fn check(facts: &FileFacts, report: &mut Report<'_>) {
    let Some(shape) = &facts.foreign else {
        return;
    };
    report
        .file(format!(
            "this is not a fine-tuning file: its lines are {} ({} of {}), not chat `messages`; the platform rejects it (\"Unexpected file format, expected either prompt/completion pairs or chat messages\")",
            shape.describe(),
            numbers::thousands(facts.foreign_lines),
            numbers::count(facts.examples, "line", "lines"),
        ))
        .help(shape.advice());
}
