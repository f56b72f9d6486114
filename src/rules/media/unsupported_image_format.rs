use crate::example::Example;
use crate::media::probe::Format;
use crate::rules::{Check, Report, declare_rule};

declare_rule! {
    /// ## What it does
    /// Decodes each data-URI image and identifies its format from the bytes, not from the
    /// MIME label. JPEG, PNG and WEBP pass; GIF, BMP, TIFF, AVIF, HEIC, ICO, SVG, PDF and
    /// bytes that are no image at all are reported, by name.
    ///
    /// ## Why is this bad?
    /// "Images must be JPEG, PNG, or WEBP format." Other images are skipped ("invalid image
    /// format"), silently: the example trains without its image. GIF is accepted for
    /// inference but not for fine-tuning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,R0lGODlh…"}}]}, …]}
    /// ```
    /// (the bytes are a GIF, whatever the label says).
    ///
    /// ## How to fix
    /// Convert to PNG or JPEG, e.g. `Image.open(src).convert("RGB").save(dst, "PNG")`.
    ///
    /// ## Source
    /// Spec §3.2 (formats, GIF note, MIME vs bytes: "sniff magic bytes") and §9.1.
    code: "VFT211",
    name: "unsupported-image-format",
    category: Media,
    severity: Error,
    summary: "An image's bytes are not JPEG, PNG or WEBP",
    check: Check::Example(check),
}

fn check(example: &Example<'_>, report: &mut Report<'_>) {
    for (image, probe) in example.probed_images() {
        let (message, help) = match probe.format {
            Some(format) if format.is_supported() => continue,
            Some(format) => (
                format!("image is {}, not JPEG, PNG or WEBP", format.name()),
                fix(format),
            ),
            None => (
                "image data is not a known image format".to_owned(),
                "the payload is not an image: check what was encoded",
            ),
        };
        report.at(image.url_pointer(), message).help(help);
    }
}

fn fix(format: Format) -> &'static str {
    match format {
        Format::Svg => "render it to PNG (e.g. `cairosvg.svg2png`)",
        Format::Pdf => "render the page to PNG (e.g. `pdftoppm -png`)",
        Format::Heic | Format::Avif => {
            "convert it to JPEG (e.g. with `pillow-heif` / `pillow-avif` and `Image.save(dst, \"JPEG\")`)"
        }
        _ => "convert it to PNG or JPEG: `Image.open(src).convert(\"RGB\").save(dst, \"PNG\")`",
    }
}
