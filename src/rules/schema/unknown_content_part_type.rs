use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

/// Every part type the chat schema knows; the unsupported ones have their own rule.
pub const PART_TYPES: [&str; 5] = ["text", "image_url", "refusal", "input_audio", "file"];

declare_rule! {
    /// ## What it does
    /// Finds content parts whose `type` is not a chat-format part type (`text`,
    /// `image_url`, `refusal`; `input_audio` and `file` are reported by
    /// `unsupported-modality`). Types from other APIs get a pointed suggestion.
    ///
    /// ## Why is this bad?
    /// Parts of unknown type fail schema validation. A common case is the Responses API's
    /// `input_image`/`input_text`, or `image` from other vendors' formats: the platform
    /// does not read those images at all.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "input_image", "image_url": "https://…"}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Use `{"type": "text", "text": "…"}` and
    /// `{"type": "image_url", "image_url": {"url": "…", "detail": "auto"}}`.
    ///
    /// ## Source
    /// Spec §2.4 (content part types).
    code: "VFT108",
    name: "unknown-content-part-type",
    category: Schema,
    severity: Error,
    summary: "A content part has a type the chat format does not define",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for part in example
        .messages()
        .iter()
        .flat_map(crate::example::Message::parts)
    {
        let Some(kind) = part.kind else { continue };
        if PART_TYPES.contains(&kind) {
            continue;
        }
        let help = match kind {
            "image" | "input_image" | "image_base64" => {
                "write images as `{\"type\": \"image_url\", \"image_url\": {\"url\": \"…\"}}`"
            }
            "input_text" | "output_text" | "string" => {
                "write text as `{\"type\": \"text\", \"text\": \"…\"}`"
            }
            _ => "use `text` or `image_url`",
        };
        report
            .at(
                part.pointer().key("type"),
                format!("unknown content part type {}", quote_value(kind)),
            )
            .help(help);
    }
}
