use crate::diagnostic::FixAction;
use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::{ImageOrigin, ImageView};
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
    /// ## Fix
    /// Unsafe (`--unsafe-fixes`): `vft fix` re-encodes the image (JPEG when it has no
    /// transparency) and, only if that is not enough, downscales it until it fits, keeping the
    /// aspect ratio and never below what its `detail` needs (512 px on the short side for `low`,
    /// 768 for `high` or `auto`); the fix report says by how much. The model sees fewer pixels
    /// or JPEG artefacts, hence unsafe. `vft fix` re-encodes data-URI images (see `vft fix --help`): PNG from lossless
    /// sources and for transparency, JPEG (quality 92) from lossy ones; EXIF orientation applied,
    /// metadata dropped (`--keep-icc` keeps the colour profile). Image URLs are fixed only with
    /// `--inline-urls`, which embeds them as data URIs first.
    ///
    /// ## Source
    /// Spec §3.2 (10 MB per image, both targets) and §10.10 (unit UNVERIFIED).
    code: "VFT206",
    name: "image-too-large",
    category: Media,
    severity: Error,
    effect: SkipsImage(Size),
    fix: Unsafe,
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
    let finding = report
        .at(
            image.pointer.clone(),
            format!(
                "image is {size} bytes, over the {name} limit ({} bytes)",
                thousands(limit)
            ),
        )
        .help("downscale it (the model sees at most 2048 px) or re-encode it as JPEG");
    if let ImageOrigin::Data { .. } = image.origin {
        finding.fix(FixAction::RepairImage(image.pointer.clone()));
    }
}
