use crate::input::JsonPointer;
use crate::render::escape::a_quoted;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds `weight` on system, user, tool or function messages, or at the top level of
    /// an example.
    ///
    /// ## Why is this bad?
    /// Only assistant messages are trained on, so only they take `weight`. The server
    /// rejects the file: "Invalid file format. Example 1 contains an extra "weight"".
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "hi", "weight": 0}, {"role": "assistant", "content": "hello"}]}
    /// ```
    ///
    /// ## How to fix
    /// Remove it, or move it to the assistant message it was meant for.
    ///
    /// ## Source
    /// Spec §2.5 and §9.2.
    code: "VFT304",
    name: "weight-outside-assistant",
    category: Content,
    severity: Error,
    summary: "`weight` appears outside an assistant message",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    if example.root.contains_key("weight") {
        report
            .at_key(
                JsonPointer::root().key("weight"),
                "`weight` at the top level of the example",
            )
            .help("`weight` belongs on individual assistant messages");
    }
    for (message, role) in example.roles() {
        if role != "assistant" && message.get("weight").is_some() {
            report
                .at_key(
                    message.pointer().key("weight"),
                    format!("`weight` on {} message", a_quoted(role)),
                )
                .help("only assistant messages take `weight`: remove it");
        }
    }
}
