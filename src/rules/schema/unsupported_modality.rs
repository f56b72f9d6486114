use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds audio and file input: `input_audio` and `file` content parts, and the
    /// assistant's `audio` field.
    ///
    /// ## Why is this bad?
    /// The chat schema has these types, but fine-tuning does not take them: "Input messages
    /// may contain text or image content only. Audio and file input messages are not
    /// currently supported for fine-tuning."
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "…", "format": "wav"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Transcribe audio to text; extract a file's text or render its pages as images.
    ///
    /// ## Source
    /// Spec §2.4 (OAI-REF) and §11.
    code: "VFT110",
    name: "unsupported-modality",
    category: Schema,
    severity: Error,
    summary: "An example holds audio or file input, which fine-tuning does not support",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for message in example.messages() {
        for part in message.parts() {
            if let Some(kind @ ("input_audio" | "file")) = part.kind {
                report
                    .at(part.pointer().key("type"), format!("`{kind}` content is not supported for fine-tuning"))
                    .help("fine-tuning takes text and images only: transcribe audio, or give a file's content as text or images");
            }
        }
        if message.role == Some("assistant") && message.get("audio").is_some() {
            report
                .at_key(
                    message.pointer().key("audio"),
                    "assistant `audio` is not supported for fine-tuning",
                )
                .help("give the assistant's reply as text `content`");
        }
    }
}
