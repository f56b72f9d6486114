use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ImageView;

declare_rule! {
    /// ## What it does
    /// Warns about animated images: APNG (a PNG with an animation control chunk) and
    /// animated WEBP. (GIF is reported by `unsupported-image-format`.)
    ///
    /// ## Why is this bad?
    /// The model sees one still frame at most; which frame, or whether the platform accepts
    /// the file at all, is not documented (the inference guide accepts only "non-animated"
    /// GIFs).
    ///
    /// ## Example
    /// A WEBP sticker with several frames.
    ///
    /// ## How to fix
    /// Save the frame you mean: `Image.open(src).convert("RGB").save(dst, "PNG")` keeps the
    /// first.
    ///
    /// ## Source
    /// Spec §3.2 (formats; "non-animated GIF" in OAI-VISION-2026). UNVERIFIED behaviour,
    /// hence a warning.
    code: "VFT215",
    name: "animated-image",
    category: Media,
    severity: Warning,
    summary: "An image is animated (APNG or animated WEBP)",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let Some(probe) = image.probe else { return };
    let Some(format) = probe.format.filter(|f| f.is_supported()) else {
        return;
    };
    if probe.header.animated {
        report
            .at(
                image.pointer.clone(),
                format!("{} image is animated", format.name()),
            )
            .help("save the one frame you mean as a still image");
    }
}
