use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ImageView;

declare_rule! {
    /// ## What it does
    /// Finds truncated or corrupt images without decoding their pixels: a PNG chunk walk
    /// (CRCs of the header chunks, as Pillow checks them; a chunk running past the end), a
    /// JPEG marker walk through every scan to the end-of-image marker, the WEBP RIFF and
    /// chunk sizes. With `--deep`, every image's pixels are decoded as well and any decoding
    /// error is reported.
    ///
    /// ## Why is this bad?
    /// The platform cannot load such images and skips them; a file cut off by a failed
    /// download or an interrupted write is the usual cause.
    ///
    /// ## Example
    /// A JPEG whose last third is missing.
    ///
    /// ## How to fix
    /// Re-export or re-download the image.
    ///
    /// ## Source
    /// Spec §9.1 ("invalid image format"); the verdicts follow Pillow's `Image.open` and
    /// `.load()`, recorded in `fixtures/images/expected.json`. Default mode cannot see
    /// damage inside compressed pixel data (Pillow loads a PNG with a bad IDAT CRC or no
    /// IEND; a flipped bit inside IDAT needs `--deep`).
    code: "VFT214",
    name: "corrupt-image",
    category: Media,
    severity: Error,
    effect: SkipsImage(Format),
    summary: "An image is truncated or corrupt",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let Some(probe) = image.probe else { return };
    let (Some(format), Some(defect)) = (probe.format, &probe.defect) else {
        return;
    };
    report
        .at(
            image.pointer.clone(),
            format!("{} image is corrupt: {defect}", format.name()),
        )
        .help("re-export or re-download the image; the platform skips images it cannot load");
}
