use crate::input::JsonPointer;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds lines whose JSON value is not an object: an array, a string, a number.
    ///
    /// ## Why is this bad?
    /// Each line must be one training example, a JSON object with `messages`. The upload is
    /// refused: "Expected file to have JSONL format, where every line is a JSON dictionary.
    /// Line 1 is not a dictionary".
    ///
    /// ## Example
    /// ```jsonl
    /// [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    /// ```
    ///
    /// ## How to fix
    /// Wrap the conversation: `{"messages": [...]}`. A file holding one big JSON array must
    /// be rewritten with one example per line.
    ///
    /// ## Source
    /// Spec §1 F1; Files API error text in §9.2.
    code: "VFT003",
    name: "example-not-object",
    category: Input,
    severity: Error,
    summary: "A line's JSON value is not an object",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    let LineEvent::NotObject { value } = event else {
        return;
    };
    let message = format!("line holds {}, not a JSON object", value.type_phrase());
    report
        .at(JsonPointer::root(), message)
        .help(if value.as_array().is_some() {
            "wrap the messages in an object: `{\"messages\": [...]}`, one example per line"
        } else {
            "each line must be one training example: `{\"messages\": [...]}`"
        });
}
