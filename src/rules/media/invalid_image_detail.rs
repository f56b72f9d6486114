use crate::json::Json;
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds `image_url.detail` values other than `low`, `high` and `auto`.
    ///
    /// ## Why is this bad?
    /// `detail` is an enum of exactly these three; anything else fails validation. It also
    /// sets what training costs: `low` is 85 tokens per image, `high` and `auto` up to 1105.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://…", "detail": "medium"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Use `low`, `high` or `auto` (lowercase), or leave `detail` out (it defaults to
    /// `auto`).
    ///
    /// ## Source
    /// Spec §2.4 (`detail: "auto"|"low"|"high"`), §5.
    code: "VFT202",
    name: "invalid-image-detail",
    category: Media,
    severity: Error,
    summary: "An image's `detail` is not `low`, `high` or `auto`",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for image in &example.images {
        let Some(Json::String(detail)) = image.detail else {
            continue;
        };
        if matches!(detail, "low" | "high" | "auto") {
            continue;
        }
        let lower = detail.to_ascii_lowercase();
        let help = if matches!(lower.as_str(), "low" | "high" | "auto") {
            format!("`detail` is lowercase: use `{lower}`")
        } else {
            "use `low` (85 tokens), `high` or `auto`, or leave `detail` out".to_owned()
        };
        let pointer = image.part.pointer().key("image_url").key("detail");
        report
            .at(
                pointer,
                format!(
                    "image detail {} is not `low`, `high` or `auto`",
                    quote_value(detail)
                ),
            )
            .help(help);
    }
}
