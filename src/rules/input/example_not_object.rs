use crate::input::{JsonPointer, SpanTarget};
use crate::json::Json;
use crate::rules::{Check, Finding, Position, RulePlan, declare_rule};

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
    check: Check::Line,
}

pub fn finding(plan: &RulePlan, value: &Json<'_>) -> Option<Finding> {
    let message = format!("line holds {}, not a JSON object", value.type_phrase());
    let mut finding = plan.finding(
        &RULE,
        message,
        Position::Pointer(JsonPointer::root(), SpanTarget::Value),
    )?;
    finding.help(if value.as_array().is_some() {
        "wrap the messages in an object: `{\"messages\": [...]}`, one example per line"
    } else {
        "each line must be one training example: `{\"messages\": [...]}`"
    });
    Some(finding)
}
