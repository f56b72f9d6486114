use crate::input::JsonPointer;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds examples with no message whose role is `assistant`.
    ///
    /// ## Why is this bad?
    /// Training learns the assistant's messages; without one the example teaches nothing.
    /// The cookbook's checker reports it as `example_missing_assistant_message`.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "What is in this image?"}]}
    /// ```
    ///
    /// ## How to fix
    /// Add the assistant's reply as the last message.
    ///
    /// ## Source
    /// Spec §2.6 (CB-PREP).
    code: "VFT301",
    name: "missing-assistant-message",
    category: Content,
    severity: Error,
    methods: [Sft],
    summary: "An example has no assistant message",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let messages = example.messages();
    if !messages.is_empty() && !example.roles().any(|(_, role)| role == "assistant") {
        report
            .at(
                JsonPointer::root().key("messages"),
                "example has no `assistant` message",
            )
            .help("add the reply to learn as a message with role `assistant`");
    }
}
