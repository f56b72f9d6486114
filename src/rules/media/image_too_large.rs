use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ImageView;
use crate::target::limits::MAX_IMAGE_BYTES;

declare_rule! {
    /// ## What it does
    /// Finds images larger than 10 MiB (10,485,760 bytes): data URIs by their decoded size
    /// (from the base64 length, without decoding), fetched URLs by `Content-Length` or by
    /// reading one byte past the limit (vft never reads more).
    ///
    /// ## Why is this bad?
    /// "Each image can be at most 10 MB." Larger images are skipped ("image too large").
    /// vft reads "10 MB" as 10 MiB, the larger reading, so it never calls an image too large
    /// that the platform may take; images between 10,000,000 bytes and 10 MiB get the
    /// warning `image-size-ambiguous`.
    ///
    /// ## Example
    /// A 24-megapixel PNG straight from a camera, inlined as a data URI.
    ///
    /// ## How to fix
    /// Downscale (the model sees at most 2048×768 tiles anyway) or re-encode as JPEG:
    /// `img.thumbnail((2048, 2048)); img.save(out, "JPEG", quality=90)`.
    ///
    /// ## Source
    /// Spec §3.2 (10 MB per image, both targets) and §10.10 (unit UNVERIFIED).
    code: "VFT206",
    name: "image-too-large",
    category: Media,
    severity: Error,
    effect: SkipsImage(Size),
    summary: "An image is larger than 10 MB",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let limit = report.limits().max_image_bytes();
    if image.len <= limit {
        return;
    }
    let name = if limit < MAX_IMAGE_BYTES {
        "configured `max-image-bytes`"
    } else {
        "10 MB"
    };
    let size = if image.at_least {
        format!("over {}", thousands(MAX_IMAGE_BYTES))
    } else {
        thousands(image.len)
    };
    report
        .at(
            image.pointer.clone(),
            format!(
                "image is {size} bytes, over the {name} limit ({} bytes)",
                thousands(limit)
            ),
        )
        .help("downscale it (the model sees at most 2048 px) or re-encode it as JPEG");
}
