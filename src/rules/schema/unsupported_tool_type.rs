use crate::input::JsonPointer;
use crate::json::Json;
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds tool calls (`tool_calls[].type`) and tool definitions (`tools[].type`) whose
    /// type is not `function`.
    ///
    /// ## Why is this bad?
    /// "Currently, only `function` is supported." The chat API's `custom` tool calls are not
    /// documented for fine-tuning (UNVERIFIED).
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "assistant", "tool_calls": [{"id": "c1", "type": "custom", "custom": {"name": "x", "input": "y"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Describe the tool as a function: `{"type": "function", "function": {"name": …,
    /// "arguments": "…"}}`.
    ///
    /// ## Source
    /// Spec §2.1 (`tools` type) and §2.3 (`tool_calls` items; custom variant UNVERIFIED).
    code: "VFT112",
    name: "unsupported-tool-type",
    category: Schema,
    severity: Error,
    summary: "A tool call or tool definition is not of type `function`",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for message in example.messages() {
        check_items(
            message.get("tool_calls"),
            || message.pointer().key("tool_calls"),
            "tool call",
            report,
        );
    }
    for message in &example.outputs {
        check_items(
            message.get("tool_calls"),
            || message.pointer().key("tool_calls"),
            "tool call",
            report,
        );
    }
    if let Some((holder, at)) = example.tools_holder() {
        check_items(holder.get("tools"), || at.key("tools"), "tool", report);
    }
}

fn check_items(
    items: Option<Json<'_>>,
    pointer: impl Fn() -> JsonPointer,
    what: &str,
    report: &mut Report<'_>,
) {
    let Some(Json::Array(items)) = items else {
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let Some(kind) = item.as_object().and_then(|o| o.get_str("type")) else {
            continue;
        };
        if kind != "function" {
            report
                .at(
                    pointer().index(index).key("type"),
                    format!("{what} type {} is not supported", quote_value(kind)),
                )
                .help("only `function` tools are supported for fine-tuning");
        }
    }
}
