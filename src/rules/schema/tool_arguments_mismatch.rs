use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;
use crate::tool_calls::{self, Arguments, Declarations, Schema, span_in_arguments};

declare_rule! {
    /// ## What it does
    /// Validates each tool call's arguments (when they are a JSON object) against the
    /// `parameters` JSON Schema of the function it calls, as declared in the example's
    /// `tools` (or `functions`): missing required parameters, unknown ones where the
    /// schema forbids them, wrong types, values outside an `enum`, and every other keyword
    /// of the schema's draft (2020-12 when it names none). Each violation is reported with
    /// its pointer inside the decoded arguments, next to the line's pointer to `arguments`,
    /// and the column of the offending value in the line.
    ///
    /// ## Why is this bad?
    /// The model learns to call the function as the examples do: arguments that break the
    /// declared schema teach it calls the application will reject. The server's checks are
    /// UNVERIFIED (no document says it validates arguments), hence a warning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "weather?"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"unit\": \"kelvin\"}"}}]}], "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}]}
    /// ```
    ///
    /// ## How to fix
    /// Make the arguments match the schema, or fix the schema if it is the one that is wrong.
    ///
    /// ## Source
    /// Spec §2.1 (`parameters` "is a JSON-Schema object"; OAPI-2025-04 `FunctionObject`).
    /// UNVERIFIED that the server validates arguments against it.
    code: "VFT123",
    name: "tool-arguments-mismatch",
    category: Schema,
    severity: Warning,
    methods: [Sft, Dpo],
    summary: "A tool call's arguments do not match its function's `parameters` schema",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let declarations = Declarations::of(cx.example);
    for call in tool_calls::calls(cx.example) {
        let (Some(name), Some(text)) = (call.name, call.arguments) else {
            continue;
        };
        let Some(declared) = declarations
            .for_call(&call)
            .and_then(|list| list.iter().find(|d| d.name == name))
        else {
            continue;
        };
        let Some((parameters, _)) = declared.parameters else {
            continue;
        };
        let Arguments::Object(arguments) = Arguments::decode(text) else {
            continue;
        };
        let schema = Schema::of(parameters);
        let shown = Json::String(name).describe();
        for violation in schema.violations(&arguments) {
            let place = if violation.pointer.is_empty() {
                "arguments".to_owned()
            } else {
                format!("arguments at `{}`", violation.pointer)
            };
            report
                .in_string(
                    call.arguments_pointer(),
                    span_in_arguments(text, &violation.pointer),
                    format!("{place}: {} ({shown}'s `parameters`)", violation.message),
                )
                .help("make the arguments match the function's `parameters` schema, or correct the schema");
        }
    }
}
