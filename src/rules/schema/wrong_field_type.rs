use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::schema::shape::{self, Node, Type};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds values of the wrong JSON type: `messages` that is not an array, a message or
    /// content part that is not an object, `content` that is a number, a tool call's
    /// `arguments` given as an object instead of JSON text, `parallel_tool_calls` as a
    /// string, and every other typed field of the chat format.
    ///
    /// ## Why is this bad?
    /// The platform validates each example against the chat schema and rejects the file:
    /// "Invalid file format. Line 1, message 3, key “content”: Input should be a valid
    /// string".
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "forty-two"}]}
    /// ```
    ///
    /// ## How to fix
    /// Give the value the type the help names. `function.arguments` is a string holding
    /// JSON: serialize it with `json.dumps`.
    ///
    /// ## Source
    /// Spec §2.1–§2.4 (OAPI-2025-04 schemas) and the error texts of §9.2.
    code: "VFT104",
    name: "wrong-field-type",
    category: Schema,
    severity: Error,
    summary: "A value has the wrong JSON type",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    shape::visit(example, |node| match node {
        Node::NotObject {
            pointer,
            value,
            what,
        } => {
            report
                .at(
                    pointer.to_pointer(),
                    format!("{what} must be an object, found {}", value.type_phrase()),
                )
                .help(format!("write {what} as a JSON object"));
        }
        Node::Object {
            pointer,
            object,
            shape,
        } => {
            for field in shape.fields.iter().filter(|f| !f.types.is_empty()) {
                let Some(value) = shape.present(object, field.name) else {
                    continue;
                };
                if field.types.iter().any(|t| t.matches(value)) {
                    continue;
                }
                let expected = Type::list(field.types);
                let message = format!(
                    "`{}` in {} is {}, expected {expected}",
                    field.name,
                    shape.what,
                    value.type_phrase()
                );
                let help = field.type_help.map_or_else(
                    || format!("give `{}` as {expected}", field.name),
                    str::to_owned,
                );
                report
                    .at(pointer.key(field.name).to_pointer(), message)
                    .help(help);
            }
        }
    });
}
