use crate::diagnostic::FixAction;
use crate::media::probe::Format;
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::{ImageOrigin, ImageView};

declare_rule! {
    /// ## What it does
    /// Decodes each data-URI image, and reads each fetched image URL's body, and
    /// identifies its format from the bytes, not from the MIME label or `Content-Type`. JPEG, PNG and WEBP pass; GIF, BMP, TIFF, AVIF, HEIC, ICO, SVG, PDF and
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
    /// ## Fix
    /// Safe for GIF (first frame), BMP, TIFF and ICO in data URIs: `vft fix` re-encodes data-URI images (see `vft fix --help`): PNG from lossless
    /// sources and for transparency, JPEG (quality 92) from lossy ones; EXIF orientation applied,
    /// metadata dropped (`--keep-icc` keeps the colour profile). Image URLs are fixed only with
    /// `--inline-urls`, which embeds them as data URIs first.
    /// AVIF, HEIC, SVG and PDF cannot be decoded: such lines go to the rejects file.
    ///
    /// ## Source
    /// Spec §3.2 (formats, GIF note, MIME vs bytes: "sniff magic bytes") and §9.1.
    code: "VFT211",
    name: "unsupported-image-format",
    category: Media,
    severity: Error,
    effect: SkipsImage(Format),
    fix: Safe,
    summary: "An image's bytes are not JPEG, PNG or WEBP",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let Some(probe) = image.probe else { return };
    let (message, help) = match (probe.format, image.origin) {
        (Some(format), _) if format.is_supported() => return,
        (Some(format), _) => (
            format!("image is {}, not JPEG, PNG or WEBP", format.name()),
            fix(format),
        ),
        (None, ImageOrigin::Data { .. }) => (
            "image data is not a known image format".to_owned(),
            "the payload is not an image: check what was encoded",
        ),
        (None, ImageOrigin::Remote { content_type, .. }) => (
            match content_type {
                Some(t) if t.contains("html") => {
                    format!(
                        "response is an HTML page ({}), not an image",
                        quote_value(t)
                    )
                }
                Some(t) => format!("response ({}) is not a known image format", quote_value(t)),
                None => "response is not a known image format".to_owned(),
            },
            "the URL must return the image file itself (JPEG, PNG or WEBP), not a page \
             showing it; or inline the image as a data URI",
        ),
    };
    let finding = report.at(image.pointer.clone(), message).help(help);
    if let (Some(format), ImageOrigin::Data { .. }) = (probe.format, image.origin)
        && format.is_decodable()
    {
        finding.fix(FixAction::RepairImage(image.pointer.clone()));
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
