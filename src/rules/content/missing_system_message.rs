use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Notes examples without a `system` message.
    ///
    /// ## Why is this bad?
    /// It is valid. But the model learns to behave as trained under the system prompt it was
    /// trained with; examples without one train a model that behaves differently when one is
    /// given at inference. Use the same system prompt in training and in production.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    /// ```
    ///
    /// ## How to fix
    /// Add the system prompt you will use in production, or ignore this rule.
    ///
    /// ## Source
    /// Spec §11 ("Missing system or user message | info").
    code: "VFT308",
    name: "missing-system-message",
    category: Content,
    severity: Info,
    methods: [Sft, Dpo],
    summary: "An example has no system message",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    if !example.messages().is_empty() && !example.roles().any(|(_, role)| role == "system") {
        report
            .at(
                example.messages_pointer(),
                "example has no `system` message",
            )
            .help("train with the system prompt you will use in production");
    }
}
