use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds examples that have an assistant message but end with another role.
    ///
    /// ## Why is this bad?
    /// Nothing after the last assistant message is trained on; it only costs tokens. Often
    /// the final reply was dropped when the data was exported.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "thanks"}]}
    /// ```
    ///
    /// ## How to fix
    /// End each example with the assistant reply to learn; drop trailing messages.
    ///
    /// ## Source
    /// Spec §2.6 (not documented for SFT, so a warning) and §11.
    code: "VFT302",
    name: "last-message-not-assistant",
    category: Content,
    severity: Warning,
    methods: [Sft],
    summary: "An example ends with a message that is not from the assistant",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let Some(last) = example.messages().last() else {
        return;
    };
    let Some(role) = last.role else { return };
    if role != "assistant" && example.roles().any(|(_, role)| role == "assistant") {
        report
            .at(last.pointer(), format!("last message is from {}, not `assistant`", quote_value(role)))
            .help("messages after the last assistant reply are not trained on: end with the reply to learn");
    }
}
