use std::collections::HashMap;

use crate::input::JsonPointer;
use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;
use crate::tool_calls::{Declarations, Declared};

declare_rule! {
    /// ## What it does
    /// Finds two tool definitions of one example with the same function name (in `tools`,
    /// or in the deprecated `functions`); the second is reported, naming the first.
    ///
    /// ## Why is this bad?
    /// A call names its function, so two definitions of one name leave it unclear which
    /// `parameters` a call follows; the model sees both descriptions. Chat completions
    /// reject duplicate function names; whether fine-tuning does is UNVERIFIED, hence a
    /// warning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [...], "tools": [{"type": "function", "function": {"name": "search"}}, {"type": "function", "function": {"name": "search", "description": "search the web"}}]}
    /// ```
    ///
    /// ## How to fix
    /// Give each function its own name, or drop the repeated definition.
    ///
    /// ## Source
    /// Spec §2.1 (`tools`, `functions`, function `name`). UNVERIFIED that the server
    /// rejects duplicates.
    code: "VFT125",
    name: "duplicate-tool-name",
    category: Schema,
    severity: Warning,
    summary: "Two tool definitions of an example have the same function name",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let declarations = Declarations::of(cx.example);
    for list in [&declarations.tools, &declarations.functions]
        .into_iter()
        .flatten()
    {
        check_list(list, report);
    }
}

fn check_list(list: &[Declared<'_>], report: &mut Report<'_>) {
    let mut first: HashMap<&str, &JsonPointer> = HashMap::new();
    for declared in list {
        match first.get(declared.name) {
            Some(earlier) => {
                let shown = Json::String(declared.name).describe();
                report
                    .at(
                        declared.name_pointer.clone(),
                        format!("function {shown} is already declared at `{earlier}`"),
                    )
                    .help("give each function its own name, or remove the repeated definition");
            }
            None => {
                first.insert(declared.name, &declared.name_pointer);
            }
        }
    }
}
