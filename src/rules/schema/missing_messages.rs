use crate::input::JsonPointer;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// In an SFT or RFT file, finds examples without a `messages` key. When the line is in
    /// the legacy prompt/completion format, the help says so (a DPO line in a chat file is
    /// `method-mismatch`'s).
    ///
    /// ## Why is this bad?
    /// A supervised chat example is `{"messages": [...]}`; without `messages` there is
    /// nothing to train on. The cookbook's checker calls this `missing_messages_list`; mixed
    /// formats fail with "Unexpected file format, expected either prompt/completion pairs or
    /// chat messages".
    ///
    /// ## Example
    /// ```jsonl
    /// {"prompt": "What is 2+2?", "completion": "4"}
    /// ```
    ///
    /// ## How to fix
    /// Convert to chat format:
    /// `{"messages": [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}]}`.
    ///
    /// ## Source
    /// Spec §2.1 (CB-PREP `missing_messages_list`; §9.2 error texts).
    code: "VFT101",
    name: "missing-messages",
    category: Schema,
    severity: Error,
    methods: [Sft, Rft],
    summary: "An example has no `messages` key",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let root = example.root;
    if root.contains_key("messages") {
        return;
    }
    let help = if root.contains_key("prompt") || root.contains_key("completion") {
        "this is the legacy prompt/completion format (babbage-002/davinci-002 only); convert it to `{\"messages\": [...]}`"
    } else {
        "put the conversation in a `messages` array: `{\"messages\": [{\"role\": \"user\", …}, {\"role\": \"assistant\", …}]}`"
    };
    report
        .at(JsonPointer::root(), "example has no `messages` key")
        .help(help);
}
