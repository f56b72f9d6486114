use crate::diagnostic::FixAction;
use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::schema::shape;
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds optional keys set to `null` (`function_call`, `tool_calls`, `audio`, `refusal`,
    /// `name`), once per object. vft treats them as absent: they are no type error and no
    /// audio. Such keys are the mark of `messages.append(response.choices[0].message.model_dump())`,
    /// which writes every key of the SDK's response message, the unset ones as `null`.
    ///
    /// ## Why is this bad?
    /// It is likely harmless: OAPI-2025-04 marks `refusal`, `audio` and `function_call`
    /// `nullable: true` in `ChatCompletionRequestAssistantMessage`. It does not mark
    /// `tool_calls` (an array) or `name` (a string) nullable, and no public source shows the
    /// server's answer to a `null` there (UNVERIFIED), so the file carries a small risk.
    ///
    /// `annotations: []`, which `model_dump()` also writes, is a different case: a key of
    /// responses only, which the fine-tuning schema does not have; `response-only-field`
    /// reports it as an error (and `vft fix` removes it).
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "refusal": null, "audio": null, "function_call": null, "tool_calls": null}]}
    /// ```
    ///
    /// ## How to fix
    /// Removing the keys is safe: `model_dump(exclude_none=True)` (or
    /// `exclude_unset=True`) leaves them out.
    ///
    /// ## Fix
    /// Safe: `vft fix` removes the `null` keys (the members, with their commas); nothing else
    /// of the line changes.
    ///
    /// ## Source
    /// OAPI-2025-04 `ChatCompletionRequestAssistantMessage` (nullable keys); openai-python
    /// `ChatCompletionMessage` (`src/openai/types/chat/chat_completion_message.py`); spec
    /// §2.3, §9.2; issue 18 §2.
    code: "VFT115",
    name: "null-optional-field",
    category: Schema,
    severity: Warning,
    fix: Safe,
    summary: "Optional keys are null, as `model_dump()` writes them; they count as absent",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    shape::visit_objects(cx.example, |pointer, object, shape| {
        let nulls: Vec<&str> = object
            .iter()
            .filter(|&(key, value)| matches!(value, Json::Null) && shape.null_is_absent(key))
            .map(|(key, _)| key)
            .collect();
        let Some(first) = nulls.first() else {
            return;
        };
        let keys: Vec<String> = nulls.iter().map(|k| format!("`{k}`")).collect();
        report
            .at_key(
                pointer.key(first).to_pointer(),
                format!(
                    "{} in {} {} null, so vft reads {} as absent",
                    keys.join(", "),
                    shape.what,
                    if nulls.len() == 1 { "is" } else { "are" },
                    if nulls.len() == 1 { "it" } else { "them" },
                ),
            )
            .help("this looks like `model_dump()` output; removing null keys is safe (`model_dump(exclude_none=True)`)")
            .fix(FixAction::RemoveMembers(
                nulls.iter().map(|key| pointer.key(key).to_pointer()).collect(),
            ));
    });
}
