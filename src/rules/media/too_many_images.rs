use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Counts the `image_url` parts of an example and reports the first one past the
    /// target's limit: 10 with `--target openai`, 64 with `--target azure`.
    ///
    /// ## Why is this bad?
    /// OpenAI: "Each example can have at most 10 images." Azure's vision fine-tuning table
    /// says 64. The example is skipped ("Too many images in example").
    ///
    /// ## Example
    /// A user message with twelve screenshots, with `--target openai`.
    ///
    /// ## How to fix
    /// Split the example into several, or combine images into a grid.
    ///
    /// ## Source
    /// Spec §3.2 and §10.1: the openai profile follows OAI-VFT (10), the azure profile the
    /// AZ-VFT limits table (64). Azure's own troubleshooting row says 10; between the two,
    /// `image-count-disputed` warns.
    code: "VFT208",
    name: "too-many-images",
    category: Media,
    severity: Error,
    summary: "An example has more images than the target allows",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let target = report.target();
    let limit = report.limits().max_images_per_example(target);
    if let Some(first_over) = example.images.get(limit) {
        let by = if limit < target.max_images_per_example() {
            "the configured `max-images-per-example`"
        } else {
            target.name()
        };
        report
            .at(
                first_over.part.pointer(),
                format!(
                    "example has {} images; {by} allows at most {limit}",
                    example.images.len(),
                ),
            )
            .help("split the example into several, each with fewer images");
    }
}
