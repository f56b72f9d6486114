use crate::media::probe::MAX_PIXELS;
use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ImageView;

declare_rule! {
    /// ## What it does
    /// Reports images whose header declares more than 178,956,970 pixels, the point at
    /// which Pillow's `Image.open` refuses a file as a decompression bomb.
    ///
    /// ## Why is this bad?
    /// A few kilobytes of PNG can declare 20000×20000 pixels. The platform's loader refuses
    /// them or runs out of memory; the model would see at most 2048×768 anyway. vft reads
    /// only the header, so such a file costs it nothing.
    ///
    /// With `--deep`, an image whose decoding needs more memory than vft's whole decode
    /// budget is reported here too, undecoded: its size is the cause, and downscaling the fix.
    ///
    /// ## Example
    /// A 20000×20000 all-black PNG of 1 MB.
    ///
    /// ## How to fix
    /// Downscale: `img.thumbnail((2048, 2048))`.
    ///
    /// ## Source
    /// Pillow `Image.MAX_IMAGE_PIXELS` (89,478,485; `DecompressionBombError` above twice
    /// that), the reference of issue #3; spec §5.1 (images are scaled to fit 2048×2048).
    code: "VFT216",
    name: "image-too-many-pixels",
    category: Media,
    severity: Error,
    effect: SkipsImage(Size),
    summary: "An image declares more pixels than Pillow will open",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    if let Some(probe) = image.probe {
        if probe.pixels() > MAX_PIXELS {
            let (w, h) = (probe.header.width, probe.header.height);
            report
                .at(
                    image.pointer.clone(),
                    format!(
                        "image declares {w}×{h} = {} pixels, over Pillow's limit of {}",
                        thousands(probe.pixels()),
                        thousands(MAX_PIXELS)
                    ),
                )
                .help(
                    "downscale it (the model sees at most 2048 px): `img.thumbnail((2048, 2048))`",
                );
        } else if let Some(over) = probe.over_budget {
            let (w, h) = (probe.header.width, probe.header.height);
            report
                .at(
                    image.pointer.clone(),
                    format!(
                        "image of {w}×{h} pixels needs {} MiB to decode, more than the \
                         whole --deep decode budget of {} MiB: its pixels were not checked",
                        thousands(over.needed.div_ceil(1 << 20)),
                        thousands(over.capacity >> 20)
                    ),
                )
                .help(
                    "downscale it (the model sees at most 2048 px): `img.thumbnail((2048, 2048))`",
                );
        }
    }
}
