use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Notes examples without a `user` message.
    ///
    /// ## Why is this bad?
    /// The assistant's reply answers nothing; for vision fine-tuning it also means the
    /// example holds no image (images go in user messages).
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "system", "content": "Be brief."}, {"role": "assistant", "content": "hello"}]}
    /// ```
    ///
    /// ## How to fix
    /// Add the user turn the reply answers.
    ///
    /// ## Source
    /// Spec §11 ("Missing system or user message | info").
    code: "VFT309",
    name: "missing-user-message",
    category: Content,
    severity: Info,
    summary: "An example has no user message",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    if !example.messages().is_empty() && !example.roles().any(|(_, role)| role == "user") {
        report
            .at(example.messages_pointer(), "example has no `user` message")
            .help("add the user turn (and its images) that the assistant's reply answers");
    }
}
