use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ImageView;
use crate::target::limits::MAX_IMAGE_BYTES_DECIMAL;

declare_rule! {
    /// ## What it does
    /// Finds images (data URIs, fetched URLs) between 10,000,000 bytes (10 MB) and 10,485,760 bytes (10 MiB).
    ///
    /// ## Why is this bad?
    /// The docs say "10 MB" without saying which. If the platform means 10,000,000 bytes,
    /// these images are skipped; `image-too-large` only fires above 10 MiB.
    ///
    /// ## Example
    /// A data URI whose payload decodes to 10,200,000 bytes.
    ///
    /// ## How to fix
    /// Bring the image under 10,000,000 bytes to be safe under either reading.
    ///
    /// ## Source
    /// Spec §3.2 ("recommend error above 10 MiB and warning above 10,000,000 bytes").
    code: "VFT207",
    name: "image-size-ambiguous",
    category: Media,
    severity: Warning,
    summary: "An image is over 10,000,000 bytes but not over 10 MiB",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    // Over a configured, tighter limit `image-too-large` reports it already.
    let limit = report.limits().max_image_bytes();
    let size = image.len;
    if size > MAX_IMAGE_BYTES_DECIMAL && size <= limit {
        report
            .at(
                image.pointer.clone(),
                format!(
                    "image is {} bytes, over 10,000,000 bytes (10 MB) though not over 10 MiB",
                    thousands(size)
                ),
            )
            .help("shrink it below 10,000,000 bytes to be safe under either reading of \"10 MB\"");
    }
}
