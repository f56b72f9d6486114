use crate::diagnostic::FixAction;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::{ImageOrigin, ImageView};

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
    /// ## Fix
    /// Unsafe (`--unsafe-fixes`): `vft fix` keeps the first frame, as a still PNG (or JPEG
    /// from a lossy WEBP). Which frame the platform would use is undocumented, hence unsafe.
    /// `vft fix` re-encodes data-URI images (see `vft fix --help`): PNG from lossless
    /// sources and for transparency, JPEG (quality 92) from lossy ones; EXIF orientation applied,
    /// metadata dropped (`--keep-icc` keeps the colour profile). Image URLs are fixed only with
    /// `--inline-urls`, which embeds them as data URIs first.
    ///
    /// ## Source
    /// Spec §3.2 (formats; "non-animated GIF" in OAI-VISION-2026). UNVERIFIED behaviour,
    /// hence a warning.
    code: "VFT215",
    name: "animated-image",
    category: Media,
    severity: Warning,
    fix: Unsafe,
    summary: "An image is animated (APNG or animated WEBP)",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let Some(probe) = image.probe else { return };
    let Some(format) = probe.format.filter(|f| f.is_supported()) else {
        return;
    };
    if probe.header.animated {
        let finding = report
            .at(
                image.pointer.clone(),
                format!("{} image is animated", format.name()),
            )
            .help("save the one frame you mean as a still image");
        if let ImageOrigin::Data { .. } = image.origin {
            finding.fix(FixAction::RepairImage(image.pointer.clone()));
        }
    }
}
