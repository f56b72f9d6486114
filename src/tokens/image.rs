//! Image tokens from an image's dimensions and `detail` (spec §5).
//!
//! `auto` is counted as `high`: the 2026 vision guide treats them alike for tile models,
//! and for the older "decide … low or high" wording `high` is the upper bound, so the
//! estimate never comes out below the bill.

use crate::json::Json;
use crate::tokens::model::{ImageScheme, Model};

/// An image part's `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Low,
    High,
    /// The default; counted as `high`.
    Auto,
}

impl Detail {
    /// The part's `detail`: missing means `auto`; a value the platform does not know
    /// (`invalid-image-detail` reports it) is counted as `auto` too.
    pub fn of(value: Option<Json<'_>>) -> Self {
        match value.and_then(Json::as_str) {
            Some("low") => Detail::Low,
            Some("high") => Detail::High,
            _ => Detail::Auto,
        }
    }
}

/// Tokens of an image whose dimensions are known. Fetched URL images plug in here too.
pub fn image_tokens(width: u32, height: u32, detail: Detail, model: Model) -> u32 {
    match model.image_scheme() {
        ImageScheme::Tiles { base, tile } => {
            if detail == Detail::Low {
                return base;
            }
            let (w, h) = tile_fit(width, height);
            base + tile * w.div_ceil(512) * h.div_ceil(512)
        }
        ImageScheme::Patches { budget, multiplier } => {
            let patches = patch_count(width, height, budget);
            // The product is at most a few thousand: no truncation or sign loss.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let billed = (f64::from(patches) * multiplier).ceil() as u32;
            billed
        }
    }
}

/// Tokens of an image whose dimensions are unknown (an unfetched URL, bytes that are no
/// image): the least it can cost, the model's base tokens (what `low` costs).
/// The tokens one image is counted with: from its dimensions when known, else (when
/// its `detail` needs them) the model's minimum; the flag says it was the minimum for an
/// unknown size.
pub fn counted_tokens(dimensions: Option<(u32, u32)>, detail: Detail, model: Model) -> (u32, bool) {
    match dimensions.filter(|&(w, h)| w > 0 && h > 0) {
        Some((w, h)) => (image_tokens(w, h, detail, model), false),
        None if !needs_dimensions(detail, model) => (image_tokens(0, 0, detail, model), false),
        None => (unknown_image_tokens(model), true),
    }
}

pub fn unknown_image_tokens(model: Model) -> u32 {
    match model.image_scheme() {
        ImageScheme::Tiles { base, .. } => base,
        ImageScheme::Patches { .. } => 0,
    }
}

/// Whether the cost depends on the dimensions at all (`low` tile images do not).
pub fn needs_dimensions(detail: Detail, model: Model) -> bool {
    !(detail == Detail::Low && matches!(model.image_scheme(), ImageScheme::Tiles { .. }))
}

/// The size a tile model sees: fit into 2048×2048 (never enlarged), then shrink the
/// shortest side to 768 if it is longer; each step rounds down.
fn tile_fit(width: u32, height: u32) -> (u32, u32) {
    let (mut w, mut h) = (u64::from(width), u64::from(height));
    let longest = w.max(h);
    if longest > 2048 {
        // floor(side * 2048 / longest), in integers so no float rounding creeps in.
        w = w * 2048 / longest;
        h = h * 2048 / longest;
    }
    let shortest = w.min(h);
    if shortest > 768 {
        w = w * 768 / shortest;
        h = h * 768 / shortest;
    }
    // Both are now at most 2048.
    (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    )
}

/// 32 px patches covering the image, after shrinking it to fit `budget` patches (the
/// 2026 guide's formula, spec §5.2).
fn patch_count(width: u32, height: u32, budget: u32) -> u32 {
    let cover = |w: f64, h: f64| (w / 32.0).ceil() * (h / 32.0).ceil();
    let (w, h) = (f64::from(width), f64::from(height));
    let mut patches = cover(w, h);
    if patches > f64::from(budget) {
        let shrink = (32.0 * 32.0 * f64::from(budget) / (w * h)).sqrt();
        let fit = |side: f64| (side * shrink / 32.0).floor() / (side * shrink / 32.0);
        let adjusted = shrink * fit(w).min(fit(h));
        // Pixels are whole: round the resized sides to the nearest integer first, so a
        // float error of 1e-12 cannot add a row of patches.
        patches = cover((w * adjusted).round(), (h * adjusted).round());
    }
    // At most `budget` (or the unshrunk count, which fits in u32 for u32 sides / 32).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let patches = patches as u32;
    patches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_tile_examples() {
        // Spec §5.1 (OAI-VISION-2025's worked examples).
        assert_eq!(image_tokens(1024, 1024, Detail::High, Model::Gpt4o), 765);
        assert_eq!(image_tokens(2048, 4096, Detail::High, Model::Gpt4o), 1105);
        assert_eq!(image_tokens(4096, 8192, Detail::Low, Model::Gpt4o), 85);
        assert_eq!(image_tokens(1024, 1024, Detail::High, Model::Gpt41), 765);
    }

    #[test]
    fn auto_is_counted_as_high() {
        for (w, h) in [(1024, 1024), (2048, 4096), (300, 200), (5000, 10)] {
            assert_eq!(
                image_tokens(w, h, Detail::Auto, Model::Gpt4o),
                image_tokens(w, h, Detail::High, Model::Gpt4o)
            );
        }
    }

    #[test]
    fn small_images_are_not_enlarged() {
        // 512×512 is one tile; an enlarged copy (768×768) would be four.
        assert_eq!(image_tokens(512, 512, Detail::High, Model::Gpt4o), 85 + 170);
        assert_eq!(image_tokens(1, 1, Detail::High, Model::Gpt4o), 85 + 170);
        // 4o-mini: same tiles, other constants.
        assert_eq!(
            image_tokens(1024, 1024, Detail::High, Model::Gpt4oMini),
            2833 + 4 * 5667
        );
        assert_eq!(
            image_tokens(1024, 1024, Detail::Low, Model::Gpt4oMini),
            2833
        );
    }

    #[test]
    fn documented_patch_examples() {
        // Spec §5.2: 1024×1024 → 1024 patches; 1800×2400 → 1056×1408 → 1452 patches.
        assert_eq!(patch_count(1024, 1024, 1536), 1024);
        assert_eq!(patch_count(1800, 2400, 1536), 1452);
        assert_eq!(
            image_tokens(1024, 1024, Detail::High, Model::Gpt41Mini),
            1659 // ceil(1024 × 1.62 = 1658.88)
        );
        assert_eq!(
            image_tokens(1800, 2400, Detail::Low, Model::Gpt41Nano),
            3572 // ceil(1452 × 2.46 = 3571.92)
        );
    }

    #[test]
    fn extreme_sizes_do_not_overflow() {
        assert!(image_tokens(u32::MAX, u32::MAX, Detail::High, Model::Gpt4o) <= 85 + 170 * 16);
        assert!(image_tokens(u32::MAX, 1, Detail::High, Model::Gpt4o) <= 85 + 170 * 16);
        assert!(patch_count(u32::MAX, u32::MAX, 1536) <= 1536);
        assert!(patch_count(u32::MAX, 1, 1536) <= 1536);
    }
}
