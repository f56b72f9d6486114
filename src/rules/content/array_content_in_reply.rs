use crate::json::Json;
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds `tool` messages whose `content` is an array of parts rather than a string.
    /// Assistant content as an array of `text` parts is accepted: the fine-tuning schema
    /// allows "one or more of type `text`" (OAPI-2025-04 `ChatCompletionRequestAssistantMessage`),
    /// Microsoft's own Azure vision sample writes every reply that way
    /// (microsoft-foundry/fine-tuning `Sample_Datasets/Supervised_Fine_Tuning/Multimodal-chartqa/training.jsonl`),
    /// and no rejection of it is on record.
    ///
    /// ## Why is this bad?
    /// The schema allows arrays for tool messages too, but the server has rejected one:
    /// "Invalid file format. Line 1, message 3, key “content”: Input should be a valid
    /// string" (community.openai.com/t/965584, 2024). Message 3 of that line is the `tool`
    /// message; message 2, an assistant message with array content, came first and was not
    /// the one reported.
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
    /// community.openai.com/t/965584 (the one server rejection found, for a tool message);
    /// spec §2.3, §2.4 and §10.6; `fixtures/realworld/RESEARCH.md` (d).
    code: "VFT307",
    name: "array-content-in-reply",
    category: Content,
    severity: Warning,
    summary: "A tool message has array content, which the server has rejected",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for (message, role) in example.roles() {
        if role == "tool" && matches!(message.get("content"), Some(Json::Array(p)) if !p.is_empty())
        {
            report
                .at(
                    message.pointer().key("content"),
                    format!("{} message content is an array", quote_value(role)),
                )
                .help("give the content as one string: the server has rejected arrays here");
        }
    }
}
