use crate::input::JsonPointer;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds examples so far over the `--model`'s per-example token limit that every trained
    /// assistant token (of a message whose `weight` is not 0) lies past the limit.
    ///
    /// ## Why is this bad?
    /// The platform truncates long examples "which removes tokens from the end". Here that
    /// removes every assistant token: the example teaches nothing, but its first 65,536
    /// tokens are still billed each epoch.
    ///
    /// ## Example
    /// A system prompt of 70,000 tokens followed by a short user question and answer.
    ///
    /// ## How to fix
    /// Shorten what comes before the first assistant reply, or drop the example.
    ///
    /// ## Source
    /// Spec §3.1: over-limit examples are truncated (OAI-FTG-2024); "if truncation removes
    /// all assistant tokens the example is useless → error". Counting as in
    /// `example-over-token-limit`.
    code: "VFT311",
    name: "assistant-beyond-token-limit",
    category: Content,
    severity: Error,
    methods: [Sft],
    summary: "Truncation to the model's token limit would remove every assistant token",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let tokens = cx.tokens;
    let limit = cx.model.example_token_limit();
    let Some(start) = tokens.first_trained.filter(|&start| start >= limit) else {
        return;
    };
    report
        .at(
            JsonPointer::root().key("messages"),
            format!(
                "the first trained assistant token is token {}, past `{}`'s limit of {limit}; truncation leaves nothing to learn",
                u64::from(start) + 1,
                cx.model.name()
            ),
        )
        .help("shorten what comes before the first assistant reply, or drop the example");
}
