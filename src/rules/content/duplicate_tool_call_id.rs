use std::collections::HashMap;

use crate::example::Message;
use crate::input::JsonPointer;
use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds tool-call ids that repeat within one conversation: two `tool_calls[].id` of
    /// the same value, or two tool messages whose `tool_call_id` answers the same call. In
    /// a DPO example the conversation is `input.messages` followed by one output; the two
    /// outputs are alternatives, so they may reuse an id.
    ///
    /// ## Why is this bad?
    /// A tool message names the call it answers by its id; with an id used twice, the
    /// pairing of replies to calls is ambiguous, and the model learns from a reply matched
    /// to the wrong call. Whether the server checks ids is UNVERIFIED, hence a warning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "weather in Paris and Rome?"}, {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "w", "arguments": "{\"city\": \"Paris\"}"}}, {"id": "call_1", "type": "function", "function": {"name": "w", "arguments": "{\"city\": \"Rome\"}"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Give every call of an example its own id (`call_1`, `call_2`, …) and answer each once.
    ///
    /// ## Source
    /// Spec §2.3 (tool-call/response pairing by `tool_call_id`; "UNVERIFIED that the server
    /// checks that every `tool_call_id` matches a prior call").
    code: "VFT330",
    name: "duplicate-tool-call-id",
    category: Content,
    severity: Warning,
    methods: [Sft, Dpo],
    summary: "A tool call id is used twice in one conversation",
    check: Check::Example(check),
}

/// The first place each call id and each answered id was seen.
#[derive(Default, Clone)]
struct Seen<'a> {
    calls: HashMap<&'a str, JsonPointer>,
    replies: HashMap<&'a str, JsonPointer>,
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let mut seen = Seen::default();
    for message in example.messages() {
        visit(message, &mut seen, report);
    }
    // Each output continues the input on its own.
    for message in &example.outputs {
        let mut branch = seen.clone();
        visit(message, &mut branch, report);
    }
}

fn visit<'a>(message: &Message<'a>, seen: &mut Seen<'a>, report: &mut Report<'_>) {
    let calls = message
        .get("tool_calls")
        .and_then(Json::as_array)
        .unwrap_or_default();
    for (index, call) in calls.iter().enumerate() {
        let Some(id) = call.as_object().and_then(|c| c.get_str("id")) else {
            continue;
        };
        let pointer = message.pointer().key("tool_calls").index(index).key("id");
        if let Some(first) = repeat(&mut seen.calls, id, &pointer) {
            report
                .at(
                    pointer,
                    format!("tool call id `{id}` is already used at `{first}`"),
                )
                .help("give every tool call of an example its own id");
        }
    }
    if message.role == Some("tool") {
        let Some(id) = message.get("tool_call_id").and_then(Json::as_str) else {
            return;
        };
        let pointer = message.pointer().key("tool_call_id");
        if let Some(first) = repeat(&mut seen.replies, id, &pointer) {
            report
                .at(
                    pointer,
                    format!("call `{id}` is already answered at `{first}`"),
                )
                .help("answer each tool call with one tool message");
        }
    }
}

/// The pointer of an earlier use of `id`; a first use is recorded at `pointer`.
fn repeat<'a>(
    first: &mut HashMap<&'a str, JsonPointer>,
    id: &'a str,
    pointer: &JsonPointer,
) -> Option<JsonPointer> {
    if let Some(earlier) = first.get(id) {
        return Some(earlier.clone());
    }
    first.insert(id, pointer.clone());
    None
}
