//! VFT4xx: limits on the whole file.

pub mod file_too_large;
pub mod file_too_large_for_simple_upload;
pub mod too_few_examples;
pub mod too_many_image_examples;
pub mod too_many_skipped_image_examples;

/// Bytes as `1.23 GB` (decimal units, as the platform's limits are written).
pub(crate) fn human_bytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // two decimals of a file size
    let value = bytes as f64;
    match bytes {
        0..1_000_000 => format!("{bytes} bytes"),
        1_000_000..1_000_000_000 => format!("{:.1} MB", value / 1e6),
        _ => format!("{:.2} GB", value / 1e9),
    }
}
