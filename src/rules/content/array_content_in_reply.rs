use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds `tool` and `assistant` messages whose `content` is an array of parts rather
    /// than a string.
    ///
    /// ## Why is this bad?
    /// The schema allows arrays there, but the server has rejected them: "Invalid file
    /// format. Line 1, message 3, key “content”: Input should be a valid string".
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [..., {"role": "tool", "tool_call_id": "c1", "content": [{"type": "text", "text": "21"}]}, ...]}
    /// ```
    ///
    /// ## How to fix
    /// Join the text parts into one string.
    ///
    /// ## Source
    /// Spec §2.4 (observed server behaviour, 2024) and §10.6.
    code: "VFT307",
    name: "array-content-in-reply",
    category: Content,
    severity: Warning,
    summary: "A tool or assistant message has array content, which the server has rejected",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for (message, role) in example.roles() {
        if matches!(role, "tool" | "assistant")
            && matches!(message.get("content"), Some(Json::Array(p)) if !p.is_empty())
        {
            report
                .at(
                    message.pointer().key("content"),
                    format!("`{role}` message content is an array"),
                )
                .help("give the content as one string: the server has rejected arrays here");
        }
    }
}
