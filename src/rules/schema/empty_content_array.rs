use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds messages whose `content` is an empty array.
    ///
    /// ## Why is this bad?
    /// Content arrays must hold at least one part (`minItems: 1` for every role).
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": []}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Add the parts, use a string, or drop the message.
    ///
    /// ## Source
    /// Spec §2.3 (content arrays `minItems: 1`).
    code: "VFT111",
    name: "empty-content-array",
    category: Schema,
    severity: Error,
    summary: "A message's `content` is an empty array",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for message in example.messages() {
        if matches!(message.get("content"), Some(Json::Array(parts)) if parts.is_empty()) {
            report
                .at(
                    message.pointer().key("content"),
                    "`content` is an empty array",
                )
                .help("add at least one content part, give a string, or drop the message");
        }
    }
}
