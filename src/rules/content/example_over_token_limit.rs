use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Counts an example's tokens as OpenAI's cookbook does (`o200k_base` text, 3 tokens per
    /// message, images from their dimensions and `detail`) and reports examples longer than
    /// the `--model`'s per-example limit: 65,536 tokens (32,768 for gpt-4.1-nano). The
    /// default model is the target's vision model, gpt-4o-2024-08-06.
    ///
    /// ## Why is this bad?
    /// "Examples longer than the default will be truncated to the maximum context length
    /// which removes tokens from the end of the training example(s)." The tail of the
    /// conversation is not trained on, yet the tokens up to the limit are billed.
    ///
    /// ## Example
    /// An example whose user message holds a 300,000-character document.
    ///
    /// ## How to fix
    /// Shorten the example (trim context, send fewer or `low`-detail images) or split it.
    ///
    /// ## Source
    /// Spec §3.1 (limits per model: OAI-FTG-2024 for gpt-4o and gpt-4o-mini, AZ-MODELS for
    /// the gpt-4.1 family), §5 (image tokens; `auto` counted as `high`), §6 (text tokens).
    /// Image tokens count toward the limit (UNVERIFIED, spec §3.1: they are billed as tokens).
    /// Image URLs are not fetched, so their tokens are a lower bound. When truncation would
    /// leave no trained assistant token, `assistant-beyond-token-limit` reports the example
    /// instead.
    code: "VFT310",
    name: "example-over-token-limit",
    category: Content,
    severity: Warning,
    summary: "An example has more tokens than the model's per-example limit, so it is truncated",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let tokens = cx.tokens;
    let limit = cx.model.example_token_limit();
    let total = tokens.total();
    if total <= limit || tokens.first_trained.is_some_and(|start| start >= limit) {
        return;
    }
    report
        .at(
            cx.example.messages_pointer(),
            format!(
                "example has {total} tokens; `{}` trains on at most {limit}, so the last {} are cut off",
                cx.model.name(),
                total - limit
            ),
        )
        .help("shorten or split the example; `vft stats` shows every example's tokens");
}
