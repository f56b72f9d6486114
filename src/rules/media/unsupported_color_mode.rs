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
    /// Convert with Pillow, `Image.open(src).convert(MODE).save(dst)`, to the mode the help
    /// names:
    /// - `L`, `1`, `I;16`, `CMYK`: `convert("RGB")` (no transparency to keep);
    /// - `LA`: `convert("RGBA")`, which keeps the alpha channel;
    /// - `P`: `convert("RGBA")`, since a palette may carry transparency (`tRNS`) that
    ///   `convert("RGB")` would drop; `convert("RGB")` is fine for a palette without it.
    ///
    /// ## Fix
    /// Safe: converts to RGB, or to RGBA when the image has transparency (`LA`, `P` with
    /// `tRNS`); CMYK and YCCK JPEGs (Adobe inverted too) become RGB JPEGs. `vft fix` re-encodes data-URI images (see `vft fix --help`): PNG from lossless
    /// sources and for transparency, JPEG (quality 92) from lossy ones; EXIF orientation applied,
    /// metadata dropped (`--keep-icc` keeps the colour profile). Image URLs are fixed only with
    /// `--inline-urls`, which embeds them as data URIs first.
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
    if !format.is_supported() {
        return;
    }
    let Some((what, target)) = conversion(mode) else {
        return;
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

/// What a mode is and the mode to convert it to (the docs' How to fix); `None` for RGB and
/// RGBA.
fn conversion(mode: ColorMode) -> Option<(&'static str, &'static str)> {
    Some(match mode {
        ColorMode::Rgb | ColorMode::Rgba => return None,
        ColorMode::L => ("grayscale", "RGB"),
        ColorMode::La => ("grayscale with alpha", "RGBA"),
        ColorMode::Bilevel => ("1-bit black and white", "RGB"),
        ColorMode::P => ("palette", "RGBA"),
        ColorMode::I16 => ("16-bit grayscale", "RGB"),
        ColorMode::Cmyk => ("CMYK", "RGB"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help's target mode is the one the docs name for that mode.
    #[test]
    fn help_and_docs_agree_on_the_target_mode() {
        let docs = RULE.meta.documentation();
        for mode in ColorMode::ALL {
            let Some((_, target)) = conversion(mode) else {
                continue;
            };
            let line = docs
                .lines()
                .find(|l| l.starts_with("- ") && l.contains(&format!("`{mode}`")))
                .unwrap_or_else(|| panic!("the docs name no conversion for `{mode}`"));
            let first = line.split(": ").nth(1).unwrap_or_default();
            assert!(
                first.starts_with(&format!("`convert(\"{target}\")`")),
                "`{mode}`: help says {target}, docs say {line}"
            );
        }
        assert_eq!(conversion(ColorMode::Rgb), None);
        assert_eq!(conversion(ColorMode::Rgba), None);
    }
}
