use crate::json::Json;
use crate::render::escape::a_quoted;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// In a DPO file, finds a `preferred_output` or `non_preferred_output` array that does
    /// not hold exactly one message from the `assistant`: an empty array, several
    /// messages, or a message of another role. (A value that is no array is
    /// `wrong-field-type`'s; a missing one `missing-field`'s.)
    ///
    /// ## Why is this bad?
    /// Each output is the final assistant reply the model should prefer or avoid: "the
    /// preferred and non-preferred messages need to be the last assistant message" (OpenAI's
    /// 2024 guide), "must contain at least one assistant message" (Azure's DPO page), and
    /// OpenAI's schema takes one message (`maxItems: 1`) typed as an assistant message.
    /// Azure also names the `tool` role as allowed in outputs, but with one message at most
    /// an output without the assistant has no reply to compare (UNVERIFIED at the server).
    ///
    /// ## Example
    /// ```jsonl
    /// {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [], "non_preferred_output": [{"role": "user", "content": "What?"}]}
    /// ```
    ///
    /// ## How to fix
    /// Give each output as a one-element array: `[{"role": "assistant", "content": "…"}]`.
    ///
    /// ## Source
    /// Spec §12 (DPO format); `fixtures/realworld/RESEARCH.md` (a): OpenAI's DPO guide,
    /// MicrosoftDocs/azure-ai-docs `fine-tuning-direct-preference-optimization.md`, openai-openapi
    /// `FineTunePreferenceRequestInput` @ 498c71d.
    code: "VFT114",
    name: "invalid-preference-output",
    category: Schema,
    severity: Error,
    methods: [Dpo],
    summary: "A DPO output is not one assistant message",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let root = cx.example.root;
    for key in ["preferred_output", "non_preferred_output"] {
        let Some(Json::Array(items)) = root.get(key) else {
            continue;
        };
        let pointer = crate::input::JsonPointer::root().key(key);
        let mut elements = items.iter();
        match (elements.next(), elements.next()) {
            (None, _) => {
                report
                    .at(pointer, format!("`{key}` holds no message"))
                    .help("give the reply as `[{\"role\": \"assistant\", \"content\": \"…\"}]`");
            }
            (Some(only), None) => {
                let role = only.as_object().and_then(|o| o.get_str("role"));
                if only.as_object().is_some() && role.is_some() && role != Some("assistant") {
                    report
                        .at(
                            pointer.index(0).key("role"),
                            format!("`{key}` holds {} message, not an `assistant` one", a_quoted(role.unwrap_or_default())),
                        )
                        .help("the output is the reply the model gives: make it an `assistant` message");
                }
            }
            (Some(_), Some(_)) => {
                report
                    .at(pointer.index(1), format!("`{key}` holds {} messages, not one", items.len()))
                    .help("keep only the final assistant reply in each output; earlier turns belong in `input.messages`");
            }
        }
    }
}
