use crate::input::pointer::Path;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::schema::shape::{self, ASSISTANT};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds objects without a key they must have: a message's `role`; `content` on system,
    /// user, tool and function messages; an assistant message with none of `content`,
    /// `tool_calls` or `function_call`; a tool message's `tool_call_id`; a text part's
    /// `text`; an image part's `image_url` and its `url`; a tool call's `id`, `type` and
    /// `function` with `name` and `arguments`.
    ///
    /// ## Why is this bad?
    /// The platform rejects the file: "Invalid file format. Example 100, message 2
    /// Discriminator 'role' is missing in value".
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"content": "hi"}, {"role": "assistant", "content": "hello"}]}
    /// ```
    ///
    /// ## How to fix
    /// Add the key. A missing `messages` is reported by `missing-messages`.
    ///
    /// ## Source
    /// Spec §2.3 (required keys per role; assistant content "Required unless `tool_calls`
    /// or `function_call` is specified"), §2.4 (parts), §9.2 (error text).
    code: "VFT105",
    name: "missing-field",
    category: Schema,
    severity: Error,
    summary: "An object lacks a key it must have",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    shape::visit_objects(example, |pointer, object, shape| {
        for field in shape.fields.iter().filter(|f| f.required) {
            // An example without `messages` is `missing-messages`'s finding, not a second one.
            let owned_elsewhere = matches!(pointer, Path::Root) && field.name == "messages";
            if !object.contains_key(field.name) && !owned_elsewhere {
                report
                    .at(
                        pointer.to_pointer(),
                        format!("{} has no `{}`", shape.what, field.name),
                    )
                    .help(format!("add `{}` to {}", field.name, shape.what));
            }
        }
        let is_assistant = std::ptr::eq(shape, &raw const ASSISTANT);
        if is_assistant
            && !["content", "tool_calls", "function_call"]
                .iter()
                .any(|k| shape.present(object, k).is_some())
        {
            report
                .at(pointer.to_pointer(), "an `assistant` message has none of `content`, `tool_calls` or `function_call`")
                .help("give the assistant's reply as `content`, or the calls it makes as `tool_calls`");
        }
    });
}
