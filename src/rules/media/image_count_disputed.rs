use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;
use crate::target::Target;

/// The limit in OpenAI's docs and in Azure's troubleshooting table.
const CONSERVATIVE_LIMIT: usize = 10;

declare_rule! {
    /// ## What it does
    /// With `--target azure`, warns about examples with 11 to 64 images.
    ///
    /// ## Why is this bad?
    /// Azure's vision fine-tuning page allows 64 images per example in its limits table, and
    /// in its troubleshooting table says "Too many images in example | Reduce to 10 or fewer
    /// images per example". Which one the service applies is unknown.
    ///
    /// ## Example
    /// An example with 20 images, with `--target azure`.
    ///
    /// ## How to fix
    /// Keep examples at 10 images or fewer to be safe.
    ///
    /// ## Source
    /// Spec §3.2 and §10.1 (AZ-VFT contradicts itself).
    code: "VFT209",
    name: "image-count-disputed",
    category: Media,
    severity: Warning,
    summary: "Azure: an example has 11–64 images, which Azure's docs both allow and forbid",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let count = example.images.len();
    if report.target() == Target::Azure
        && count > CONSERVATIVE_LIMIT
        // Over a configured, tighter limit `too-many-images` reports it already.
        && count <= report.limits().max_images_per_example(Target::Azure)
    {
        report
            .at(
                example.images[CONSERVATIVE_LIMIT].part.pointer(),
                format!("example has {count} images; Azure's docs say both 64 and 10"),
            )
            .help("keep examples at 10 images or fewer to be safe");
    }
}
