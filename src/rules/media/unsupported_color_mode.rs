use crate::diagnostic::FixAction;
use crate::media::header::ColorMode;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::{ImageOrigin, ImageView};

declare_rule! {
    /// ## What it does
    /// Reads each image's colour mode from its own headers (PNG `IHDR`, JPEG frame header,
    /// WEBP `VP8`/`VP8L`/`VP8X`), in Pillow's terms, and reports any mode but `RGB` and
    /// `RGBA`: grayscale `L`, grayscale with alpha `LA`, 1-bit `1`, palette `P` (also with a
    /// `tRNS` transparency chunk), 16-bit grayscale `I;16`, and `CMYK` (CMYK and YCCK JPEGs).
    ///
    /// ## Why is this bad?
    /// "Your images must be in the RGB or RGBA image mode." Others are skipped ("Not RGB/RGBA
    /// mode"). Decoders that expand palettes or convert CMYK hide this: vft reads the
    /// file's own header, as Pillow's `Image.open(...).mode` does.
    ///
    /// ## Example
    /// A screenshot saved as an 8-bit palette PNG by an optimizer (`pngquant`, `optipng`).
    ///
    /// ## How to fix
    /// Convert: `Image.open(src).convert("RGB").save(dst)` (`"RGBA"` to keep transparency).
    ///
    /// ## Fix
    /// Safe: converts to RGB, or to RGBA when the image has transparency (`LA`, `P` with
    /// `tRNS`); CMYK and YCCK JPEGs (Adobe inverted too) become RGB JPEGs. `vft fix` re-encodes data-URI images (see `vft fix --help`): PNG from lossless
    /// sources and for transparency, JPEG (quality 92) from lossy ones; EXIF orientation applied,
    /// metadata dropped (`--keep-icc` keeps the colour profile). Image URLs are left as they are.
    ///
    /// ## Source
    /// Spec §3.2 (colour mode, both targets; "palette/grayscale PNG handling … UNVERIFIED
    /// whether the service auto-converts"), §9.1.
    code: "VFT213",
    name: "unsupported-color-mode",
    category: Media,
    severity: Error,
    effect: SkipsImage(Mode),
    fix: Safe,
    summary: "An image is not in RGB or RGBA mode",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let Some(probe) = image.probe else { return };
    let (Some(format), Some(mode)) = (probe.format, probe.header.mode) else {
        return;
    };
    let (what, target) = match mode {
        _ if !format.is_supported() => return,
        ColorMode::Rgb | ColorMode::Rgba => return,
        ColorMode::L => ("grayscale", "RGB"),
        ColorMode::La => ("grayscale with alpha", "RGBA"),
        ColorMode::Bilevel => ("1-bit black and white", "RGB"),
        ColorMode::P => ("palette", "RGBA"),
        ColorMode::I16 => ("16-bit grayscale", "RGB"),
        ColorMode::Cmyk => ("CMYK", "RGB"),
    };
    let finding = report
        .at(
            image.pointer.clone(),
            format!(
                "{} image is in mode `{mode}` ({what}), not RGB or RGBA",
                format.name()
            ),
        )
        .help(format!(
            "convert it: `Image.open(src).convert(\"{target}\").save(dst)`"
        ));
    if let ImageOrigin::Data { .. } = image.origin {
        finding.fix(FixAction::RepairImage(image.pointer.clone()));
    }
}
