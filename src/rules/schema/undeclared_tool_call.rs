use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::schema::unknown_field::closest;
use crate::rules::subject::ExampleContext;
use crate::tool_calls::{self, Declarations};

declare_rule! {
    /// ## What it does
    /// Finds tool calls to a function that the example's `tools` does not declare (and
    /// `function_call`s to a function not in `functions`). Examples without `tools` (or
    /// `functions`) are not checked: the tools may be described elsewhere, such as in the
    /// system message.
    ///
    /// ## Why is this bad?
    /// `tools` is "A list of tools the model may generate JSON inputs for": a call to any
    /// other function teaches the model to call a function it will not be offered, often a
    /// misspelling of a declared one. Whether the server rejects it is UNVERIFIED, hence a
    /// warning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "weather?"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_wether", "arguments": "{}"}}]}], "tools": [{"type": "function", "function": {"name": "get_weather"}}]}
    /// ```
    ///
    /// ## How to fix
    /// Call a declared function by its exact name, or declare the function in `tools`.
    ///
    /// ## Source
    /// Spec §2.1 (`tools`: "A list of tools the model may generate JSON inputs for"; OAI-REF).
    /// UNVERIFIED that the server checks calls against `tools`.
    code: "VFT122",
    name: "undeclared-tool-call",
    category: Schema,
    severity: Warning,
    methods: [Sft, Dpo],
    summary: "A tool call names a function that the example's `tools` does not declare",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let declarations = Declarations::of(cx.example);
    for call in tool_calls::calls(cx.example) {
        let (Some(name), Some(declared)) = (call.name, declarations.for_call(&call)) else {
            continue;
        };
        if declared.iter().any(|d| d.name == name) {
            continue;
        }
        let list = if call.legacy { "functions" } else { "tools" };
        let shown = Json::String(name).describe();
        let finding = report.at(
            call.name_pointer(),
            format!("function {shown} is not declared in `{list}`"),
        );
        match closest(name, declared.iter().map(|d| d.name)) {
            Some(near) => finding.help(format!("did you mean `{near}`?")),
            None if declared.is_empty() => {
                finding.help(format!("`{list}` is empty: declare the function there"))
            }
            None => finding.help(format!(
                "call one of the declared functions ({}), or declare this one in `{list}`",
                names(declared.iter().map(|d| d.name))
            )),
        };
    }
}

/// Up to five names, in backticks.
fn names<'a>(declared: impl Iterator<Item = &'a str>) -> String {
    let shown: Vec<String> = declared.take(5).map(|n| format!("`{n}`")).collect();
    shown.join(", ")
}
