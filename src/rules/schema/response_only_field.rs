use crate::diagnostic::FixAction;
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::schema::shape::{self, RESPONSE_ONLY_KEYS};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds keys that only chat completion *responses* have (`annotations`) in a message
    /// of a training example. They are the mark of
    /// `messages.append(response.choices[0].message.model_dump())`, which copies every key
    /// of the SDK's response message; `null-optional-field` reports the `null` ones it writes
    /// beside them.
    ///
    /// ## Why is this bad?
    /// `annotations` is a key of `ChatCompletionResponseMessage` only, not of the
    /// fine-tuning assistant schema (spec §2.3 key list), and the server rejects keys it does
    /// not know ("Example 1 contains an extra "weight"", spec §9.2). No public source shows
    /// the server's answer to `annotations` itself (UNVERIFIED; `fixtures/realworld/RESEARCH.md`
    /// (c)), so vft keeps it an error, as `unknown-field` is for other keys.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "annotations": []}]}
    /// ```
    ///
    /// ## How to fix
    /// Remove the key: it carries nothing the model trains on. `model_dump(include={"role",
    /// "content", "tool_calls"})` writes only what fine-tuning takes.
    ///
    /// ## Fix
    /// Safe: `vft fix` removes the key (the member, with its comma), whatever its value;
    /// nothing else of the line changes.
    ///
    /// ## Source
    /// OAPI-2025-04 `ChatCompletionResponseMessage.annotations`; openai-python
    /// `ChatCompletionMessage` (`src/openai/types/chat/chat_completion_message.py`); spec
    /// §2.3, §9.2; issue 18 §2.
    code: "VFT116",
    name: "response-only-field",
    category: Schema,
    severity: Error,
    fix: Safe,
    summary: "A message has a key only chat completion responses have, as `model_dump()` writes it",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    shape::visit_objects(cx.example, |pointer, object, shape| {
        for key in object.keys() {
            if !RESPONSE_ONLY_KEYS.contains(&key) || shape.field(key).is_some() {
                continue;
            }
            let at = pointer.key(key).to_pointer();
            report
                .at_key(
                    at.clone(),
                    format!(
                        "{} in {} is a key of chat completion responses",
                        quote_value(key),
                        shape.what
                    ),
                )
                .help("this looks like `model_dump()` output; fine-tuning does not take the key, and removing it is safe")
                .fix(FixAction::RemoveMembers(vec![at]));
        }
    });
}
