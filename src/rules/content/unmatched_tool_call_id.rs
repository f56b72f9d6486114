use std::collections::HashSet;

use crate::json::Json;
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds tool messages whose `tool_call_id` matches no `tool_calls[].id` of an earlier
    /// assistant message.
    ///
    /// ## Why is this bad?
    /// A tool reply answers a call; without the call, the model learns from a result that
    /// nothing asked for. Whether the server checks the pairing is UNVERIFIED, hence a
    /// warning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "weather?"}, {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "call_2", "content": "21"}, {"role": "assistant", "content": "21 °C"}]}
    /// ```
    ///
    /// ## How to fix
    /// Give the tool message the `id` of the call it answers.
    ///
    /// ## Source
    /// Spec §2.3 ("Tool-call/response pairing … recommend warning").
    code: "VFT306",
    name: "unmatched-tool-call-id",
    category: Content,
    severity: Warning,
    summary: "A tool message answers a call id that no earlier assistant message made",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let mut calls: HashSet<&str> = HashSet::new();
    for (message, role) in example.roles() {
        match role {
            "assistant" => {
                let items = message
                    .get("tool_calls")
                    .and_then(Json::as_array)
                    .unwrap_or_default();
                calls.extend(items.iter().filter_map(|c| c.as_object()?.get_str("id")));
            }
            "tool" => {
                let Some(id) = message.get("tool_call_id").and_then(Json::as_str) else {
                    continue;
                };
                if !calls.contains(id) {
                    report
                        .at(message.pointer().key("tool_call_id"), format!("`tool_call_id` {} matches no earlier tool call", quote_value(id)))
                        .help("use the `id` of the assistant's `tool_calls` entry this message answers");
                }
            }
            _ => {}
        }
    }
}
