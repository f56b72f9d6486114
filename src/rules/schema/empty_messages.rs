use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds examples whose `messages` array is empty.
    ///
    /// ## Why is this bad?
    /// The schema requires at least one message (`minItems: 1`), and an example needs an
    /// assistant message to train on.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": []}
    /// ```
    ///
    /// ## How to fix
    /// Drop the line, or fill in the conversation it was meant to hold.
    ///
    /// ## Source
    /// Spec §2.1 (`messages`: array, `minItems: 1`).
    code: "VFT102",
    name: "empty-messages",
    category: Schema,
    severity: Error,
    summary: "An example's `messages` array is empty",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    if example.messages.as_ref().is_some_and(Vec::is_empty) {
        report
            .at(example.messages_pointer(), "`messages` is empty")
            .help("add the conversation (at least one assistant message), or drop the line");
    }
}
