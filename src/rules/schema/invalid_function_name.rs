use crate::input::JsonPointer;
use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Checks the names of tool and function definitions (`tools[].function.name`,
    /// `functions[].name`): only `a-z`, `A-Z`, `0-9`, `_` and `-`, 1 to 64 characters.
    ///
    /// ## Why is this bad?
    /// The function schema says a name "Must be a-z, A-Z, 0-9, or contain underscores and
    /// dashes, with a maximum length of 64."
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [...], "tools": [{"type": "function", "function": {"name": "get weather"}}]}
    /// ```
    ///
    /// ## How to fix
    /// Rename the function, e.g. `get_weather`, here and in the calls that use it.
    ///
    /// ## Source
    /// Spec §2.1 (OAPI-2025-04 `FunctionObject`, `ChatCompletionFunctions`).
    code: "VFT113",
    name: "invalid-function-name",
    category: Schema,
    severity: Error,
    summary: "A tool or function definition's name breaks the naming rule",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let Some((holder, root)) = cx.example.tools_holder() else {
        return;
    };
    for (index, tool) in items(holder.get("tools")) {
        let function = tool
            .as_object()
            .and_then(|t| t.get("function"))
            .and_then(Json::as_object);
        if let Some(name) = function.and_then(|f| f.get_str("name")) {
            check_name(
                name,
                root.key("tools").index(index).key("function").key("name"),
                report,
            );
        }
    }
    for (index, function) in items(holder.get("functions")) {
        if let Some(name) = function.as_object().and_then(|f| f.get_str("name")) {
            check_name(name, root.key("functions").index(index).key("name"), report);
        }
    }
}

fn items(value: Option<Json<'_>>) -> impl Iterator<Item = (usize, Json<'_>)> {
    value
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
}

fn check_name(name: &str, pointer: JsonPointer, report: &mut Report<'_>) {
    let valid_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid_chars && (1..=64).contains(&name.len()) {
        return;
    }
    let problem = if name.is_empty() {
        "is empty".to_owned()
    } else if valid_chars {
        format!("is {} characters long", name.len())
    } else {
        "has characters other than `a-z A-Z 0-9 _ -`".to_owned()
    };
    let shown = Json::String(name).describe();
    report
        .at(pointer, format!("function name {shown} {problem}"))
        .help("use 1 to 64 of `a-z A-Z 0-9 _ -`, e.g. `get_weather`");
}
