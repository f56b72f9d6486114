use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;
use crate::target::Target;

pub use crate::forecast::AZURE_MAX_SKIPPED;

declare_rule! {
    /// ## What it does
    /// With `--target azure`, counts the examples with at least one image the platform will
    /// skip — an image that is too large (`image-too-large`), not JPEG, PNG or WEBP
    /// (`unsupported-image-format`), not RGB or RGBA (`unsupported-color-mode`), corrupt
    /// (`corrupt-image`), over the pixel limit (`image-too-many-pixels`), or behind a URL that
    /// cannot be fetched (`inaccessible-image-url`, `private-image-url`) — and reports more
    /// than 200. Each such image also has its own diagnostic; this rule says what they add up
    /// to. A rule turned off is not counted. Images that only *probably* are skipped (a face
    /// found by `image-shows-face`) do not count towards the 200: the message names them,
    /// and the summary's forecast says whether they would take the file over.
    ///
    /// ## Why is this bad?
    /// OpenAI skips such examples and trains on the rest. Azure does too, up to a point, then
    /// fails the whole job: "Number of skipped multimodal examples exceed the maximum allowed
    /// 200 limit: inaccessible URL (3124)". OpenAI's threshold is not published, so vft does
    /// not report this for `--target openai`.
    ///
    /// ## Example
    /// 3,124 examples whose image URLs point at a bucket that is not public.
    ///
    /// ## How to fix
    /// Fix the images the per-image diagnostics name (make URLs public or inline them as data
    /// URIs; convert images to RGB JPEG or PNG under 10 MB), or drop those examples.
    ///
    /// ## Source
    /// Spec §8 (Azure skip threshold, AZ-QA) and the observed error text in §9.
    code: "VFT405",
    name: "too-many-skipped-image-examples",
    category: File,
    severity: Error,
    summary: "More than 200 examples have images Azure will skip, which fails the file",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    let lines = &file.skipped_image_lines;
    let skipped = lines.count();
    if file.target != Target::Azure || skipped <= AZURE_MAX_SKIPPED {
        return;
    }
    let sample: Vec<String> = lines.lowest().iter().map(u64::to_string).collect();
    let more = if skipped > lines.lowest().len() as u64 {
        ", …"
    } else {
        ""
    };
    let probable = match file.probably_skipped_examples {
        0 => String::new(),
        n => format!(" ({} more probably, for faces)", thousands(n)),
    };
    report
        .file(format!(
            "{} examples have images Azure will skip (lines {}{more}){probable}, over its limit of {AZURE_MAX_SKIPPED}: the whole file fails",
            thousands(skipped),
            sample.join(", ")
        ))
        .help("fix the images the other diagnostics name, or drop those examples");
}
