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

/// The tokens one image is counted with: from its dimensions when known, else (when
/// its `detail` needs them) the least an image can cost; the flag says it was the least
/// for an unknown size.
pub fn counted_tokens(dimensions: Option<(u32, u32)>, detail: Detail, model: Model) -> (u32, bool) {
    match dimensions.filter(|&(w, h)| w > 0 && h > 0) {
        Some((w, h)) => (image_tokens(w, h, detail, model), false),
        None if !needs_dimensions(detail, model) => (image_tokens(0, 0, detail, model), false),
        None => (unknown_bounds(detail, model).least, true),
    }
}

/// What an image of unknown size can cost, from the smallest image to the largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub least: u32,
    pub most: u32,
}

impl Bounds {
    /// How much more than `least` the image can cost.
    pub fn headroom(self) -> u32 {
        self.most - self.least
    }
}

/// The least and the most an image of unknown size (an unfetched URL) can cost with
/// `detail` on `model`: a 1×1 image, and the largest the resize rules let through (tile
/// models: 768×2048 after fitting, 2 × 4 = 8 tiles, since the short side ends at most
/// 768 px and the long side at most 2048 px; patch models: the whole patch budget).
/// `auto` is counted as `high` here too, as for images of known size.
pub fn unknown_bounds(detail: Detail, model: Model) -> Bounds {
    let least = image_tokens(1, 1, detail, model);
    let most = match model.image_scheme() {
        ImageScheme::Tiles { .. } => image_tokens(MAX_SHORT_SIDE, MAX_LONG_SIDE, detail, model),
        ImageScheme::Patches { budget, multiplier } => {
            // A few thousand at most: no truncation or sign loss.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let most = (f64::from(budget) * multiplier).ceil() as u32;
            most
        }
    };
    Bounds { least, most }
}

/// Whether the cost depends on the dimensions at all (`low` tile images do not).
pub fn needs_dimensions(detail: Detail, model: Model) -> bool {
    !(detail == Detail::Low && matches!(model.image_scheme(), ImageScheme::Tiles { .. }))
}

/// The longest side a tile model keeps (spec §5.1: "fit in a 2048px x 2048px square").
const MAX_LONG_SIDE: u32 = 2048;
/// The shortest side it keeps ("If the shortest side exceeds 768px, scale it down").
const MAX_SHORT_SIDE: u32 = 768;

/// The size a tile model sees: fit into 2048×2048 (never enlarged), then shrink the
/// shortest side to 768 if it is longer; each step rounds down.
fn tile_fit(width: u32, height: u32) -> (u32, u32) {
    let (mut w, mut h) = (u64::from(width), u64::from(height));
    let (long_side, short_side) = (u64::from(MAX_LONG_SIDE), u64::from(MAX_SHORT_SIDE));
    let longest = w.max(h);
    if longest > long_side {
        // floor(side * 2048 / longest), in integers so no float rounding creeps in.
        w = w * long_side / longest;
        h = h * long_side / longest;
    }
    let shortest = w.min(h);
    if shortest > short_side {
        w = w * short_side / shortest;
        h = h * short_side / shortest;
    }
    // Both are now at most 2048, and at least 1: rounding down a very thin image's short
    // side must not leave it no pixels (and no tiles).
    (
        u32::try_from(w.max(1)).unwrap_or(u32::MAX),
        u32::try_from(h.max(1)).unwrap_or(u32::MAX),
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
    fn a_very_thin_image_keeps_one_pixel_and_one_tile() {
        // 1×4096 fits into 2048 as 0.5×2048: rounded down to 0, it would cost no tile.
        assert_eq!(tile_fit(1, 4096), (1, 2048));
        assert_eq!(
            image_tokens(1, 4096, Detail::High, Model::Gpt4o),
            85 + 4 * 170
        );
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
    fn unknown_bounds_are_the_smallest_and_the_largest_image() {
        let bounds = |detail| unknown_bounds(detail, Model::Gpt4o);
        // One tile; 2 × 4 tiles.
        let high = Bounds {
            least: 85 + 170,
            most: 85 + 8 * 170,
        };
        assert_eq!(bounds(Detail::High), high);
        assert_eq!(bounds(Detail::Auto), high);
        assert_eq!(bounds(Detail::Low).headroom(), 0);
        assert_eq!(
            unknown_bounds(Detail::High, Model::Gpt41Mini),
            Bounds {
                least: 2,   // ceil(1 patch × 1.62)
                most: 2489  // ceil(1536 × 1.62 = 2488.32)
            }
        );
        // No image of any size costs more, or less: sides from 1 to 9,000 px.
        let sides: Vec<u32> = (1..=9000)
            .step_by(7)
            .chain([512, 513, 768, 769, 2048, 2049])
            .collect();
        for model in [Model::Gpt4o, Model::Gpt4oMini, Model::Gpt41Mini] {
            let Bounds { least, most } = unknown_bounds(Detail::High, model);
            for &w in &sides {
                for &h in sides.iter().step_by(5) {
                    let tokens = image_tokens(w, h, Detail::High, model);
                    assert!(
                        (least..=most).contains(&tokens),
                        "{model:?} {w}×{h}: {tokens}"
                    );
                }
            }
        }
    }

    #[test]
    fn extreme_sizes_do_not_overflow() {
        assert!(image_tokens(u32::MAX, u32::MAX, Detail::High, Model::Gpt4o) <= 85 + 170 * 16);
        assert!(image_tokens(u32::MAX, 1, Detail::High, Model::Gpt4o) <= 85 + 170 * 16);
        assert!(patch_count(u32::MAX, u32::MAX, 1536) <= 1536);
        assert!(patch_count(u32::MAX, 1, 1536) <= 1536);
    }
}
