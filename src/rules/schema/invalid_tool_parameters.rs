use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;
use crate::tool_calls::{Declarations, MAX_SCHEMA_NODES, Schema, SchemaProblem};

declare_rule! {
    /// ## What it does
    /// Checks that each declared function's `parameters` (in `tools` or `functions`) is a
    /// valid JSON Schema: valid against its draft's meta-schema (2020-12 when `$schema`
    /// names none), with patterns that compile and `$ref`s that resolve inside the schema
    /// (vft fetches no remote schema). A schema with more than 10,000 values is not checked,
    /// and said so here, since the calls to it are then not validated.
    ///
    /// ## Why is this bad?
    /// `parameters` describes the function's arguments "as a JSON Schema object"; a schema
    /// that is not one describes nothing, and the calls to the function cannot be checked
    /// against it. Chat completions reject an invalid function schema; whether fine-tuning
    /// does is UNVERIFIED, hence a warning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [...], "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "text"}}}}}]}
    /// ```
    ///
    /// ## How to fix
    /// Use JSON Schema's own keywords and types (`"type": "string"`), e.g. by generating the
    /// schema from a model class (`pydantic`'s `model_json_schema()`).
    ///
    /// ## Source
    /// Spec §2.1 (`parameters` "is a JSON-Schema object"; OAPI-2025-04 `FunctionParameters`:
    /// "The parameters the functions accepts, described as a JSON Schema object").
    /// UNVERIFIED that fine-tuning rejects an invalid one.
    code: "VFT124",
    name: "invalid-tool-parameters",
    category: Schema,
    severity: Warning,
    summary: "A declared function's `parameters` is not a valid JSON Schema",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let declarations = Declarations::of(cx.example);
    for declared in declarations.all() {
        let Some((parameters, pointer)) = &declared.parameters else {
            continue;
        };
        // A non-object `parameters` is `wrong-field-type`'s.
        if parameters.as_object().is_none() {
            continue;
        }
        match &Schema::of(*parameters).problem {
            None => {}
            Some(SchemaProblem::Invalid {
                pointer: inner,
                message,
            }) => {
                let at = if inner.is_empty() {
                    String::new()
                } else {
                    format!(" at `{inner}`")
                };
                report
                    .at(
                        pointer.join(inner),
                        format!("`parameters` of `{}` is not a valid JSON Schema{at}: {message}", declared.name),
                    )
                    .help("use JSON Schema's keywords and types, e.g. `{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}`");
            }
            Some(SchemaProblem::TooLarge { nodes }) => {
                report
                    .at(
                        pointer.clone(),
                        format!(
                            "`parameters` of `{}` has {nodes} values, more than the {MAX_SCHEMA_NODES} vft checks: its calls are not validated",
                            declared.name
                        ),
                    )
                    .help("a function's schema is rarely this large: check that it was generated as intended");
            }
        }
    }
}
