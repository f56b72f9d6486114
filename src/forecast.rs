//! The training-set forecast: what the platform will really train on once it has skipped
//! the images it cannot or will not use. The engine records each skipped image
//! ([`FileSkips::skip`], from the skip effect of the rule that found it, never from its
//! name); each file's skips are folded into the run's [`Forecast`] when the file ends.
//! Only counts are kept in the forecast; the per-file record holds one entry per example
//! with a skipped image, as `too-many-skipped-image-examples` already did.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Certainty, SkipReason};
use crate::input::JsonPointer;
use crate::tokens::TokenSummary;

/// Azure fails the file when more image examples than this are skipped.
pub const AZURE_MAX_SKIPPED: u64 = 200;

/// One file's skipped images, per example, while the file is checked.
#[derive(Debug, Default)]
pub struct FileSkips {
    examples: BTreeMap<u64, ExampleSkips>,
}

#[derive(Debug, Default)]
struct ExampleSkips {
    images: u64,
    /// Each skipped image once (by the pointer of its URL), with its strongest skip.
    skipped: Vec<SkippedImage>,
}

#[derive(Debug)]
struct SkippedImage {
    pointer: JsonPointer,
    reason: SkipReason,
    certainty: Certainty,
    tokens: u32,
}

impl FileSkips {
    /// Records that the image at `pointer` of the example on `line` (which has `images`
    /// images) is skipped for `reason`, and costs `tokens`. An image found by several
    /// rules counts once, with its certain reason before a probable one.
    pub fn skip(
        &mut self,
        line: u64,
        images: u64,
        pointer: &JsonPointer,
        (reason, certainty): (SkipReason, Certainty),
        tokens: u32,
    ) {
        let example = self.examples.entry(line).or_default();
        example.images = images;
        match example.skipped.iter_mut().find(|s| s.pointer == *pointer) {
            Some(known) if (certainty, reason) < (known.certainty, known.reason) => {
                known.certainty = certainty;
                known.reason = reason;
            }
            Some(_) => {}
            None => example.skipped.push(SkippedImage {
                pointer: pointer.clone(),
                reason,
                certainty,
                tokens,
            }),
        }
    }

    /// Lines of the examples with a certain skip, in order
    /// (`too-many-skipped-image-examples` quotes them).
    pub fn certain_lines(&self) -> impl Iterator<Item = u64> + '_ {
        self.examples
            .iter()
            .filter(|(_, e)| e.certain() > 0)
            .map(|(&line, _)| line)
    }

    /// Examples whose skips are all probable ones.
    pub fn probable_only(&self) -> u64 {
        self.examples.values().filter(|e| e.certain() == 0).count() as u64
    }
}

impl ExampleSkips {
    fn certain(&self) -> usize {
        self.skipped
            .iter()
            .filter(|s| s.certainty == Certainty::Certain)
            .count()
    }
}

/// Images skipped, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ByReason {
    pub format: u64,
    pub mode: u64,
    pub size: u64,
    pub url: u64,
    pub face: u64,
}

impl ByReason {
    fn add(&mut self, reason: SkipReason) {
        *self.get_mut(reason) += 1;
    }

    pub fn get(&self, reason: SkipReason) -> u64 {
        match reason {
            SkipReason::Format => self.format,
            SkipReason::Mode => self.mode,
            SkipReason::Size => self.size,
            SkipReason::Url => self.url,
            SkipReason::Face => self.face,
        }
    }

    fn get_mut(&mut self, reason: SkipReason) -> &mut u64 {
        match reason {
            SkipReason::Format => &mut self.format,
            SkipReason::Mode => &mut self.mode,
            SkipReason::Size => &mut self.size,
            SkipReason::Url => &mut self.url,
            SkipReason::Face => &mut self.face,
        }
    }
}

/// Azure's limit on skipped image examples, judged per file: the figures are those of the
/// file with the most skipped image examples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SkipThreshold {
    pub limit: u64,
    /// Examples with at least one image skipped for certain.
    pub certain: u64,
    /// Examples whose only skipped images are probable skips (faces).
    pub probable: u64,
    /// Files over the limit on certain skips alone.
    pub files_over: u64,
    /// Files over the limit only if the probable skips happen.
    pub files_over_if_probable: u64,
}

/// What will train, in tokens and money, beside the whole file's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TrainedTokens {
    pub total: u64,
    pub trained: u64,
    pub billed: u64,
    pub billed_trained: u64,
    pub cost: f64,
    pub cost_trained: f64,
    /// The same with every unfetched image URL at the most it can cost (equal to the
    /// figures above when every image's size is known).
    pub total_high: u64,
    pub trained_high: u64,
    pub billed_high: u64,
    pub billed_trained_high: u64,
    pub cost_high: f64,
    pub cost_trained_high: f64,
}

/// The training-set forecast over every file of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Forecast {
    pub examples: u64,
    pub examples_with_images: u64,
    /// Examples with images that keep every one.
    pub keep_all_images: u64,
    /// Examples that lose some of their images and keep at least one.
    pub lose_some_images: u64,
    /// Examples with images that lose all of them: they train as text only.
    pub lose_all_images: u64,
    pub images: u64,
    pub images_skipped: u64,
    pub images_skipped_by_reason: ByReason,
    /// Of `images_skipped`, the probable skips (faces).
    pub images_probably_skipped: u64,
    /// Image URLs not fetched (`--offline`, no network, the fetch budget): whether the
    /// platform skips them is not known.
    pub images_unverified: u64,
    /// Whether images were screened for faces (`--faces on`).
    pub faces_screened: bool,
    pub azure_skip_threshold: SkipThreshold,
    /// Absent when no example could be counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TrainedTokens>,
    /// Tokens of the skipped images (what `tokens.trained` leaves out).
    #[serde(skip)]
    pub skipped_tokens: u64,
}

/// One file's totals, as the engine knows them at the end of the file.
#[derive(Debug, Clone, Copy)]
pub struct FileTotals {
    pub examples: u64,
    pub examples_with_images: u64,
    pub images: u64,
    pub unverified: u64,
}

impl Forecast {
    /// Folds one finished file in.
    pub fn add_file(&mut self, totals: FileTotals, skips: &FileSkips) {
        self.examples += totals.examples;
        self.examples_with_images += totals.examples_with_images;
        self.images += totals.images;
        self.images_unverified += totals.unverified;
        let mut losing = 0;
        for example in skips.examples.values() {
            losing += 1;
            let lost = example.skipped.len() as u64;
            if lost >= example.images {
                self.lose_all_images += 1;
            } else {
                self.lose_some_images += 1;
            }
            for image in &example.skipped {
                self.images_skipped += 1;
                self.images_skipped_by_reason.add(image.reason);
                self.images_probably_skipped += u64::from(image.certainty == Certainty::Probable);
                self.skipped_tokens += u64::from(image.tokens);
            }
        }
        self.keep_all_images += totals.examples_with_images.saturating_sub(losing);

        let certain = skips.certain_lines().count() as u64;
        let probable = skips.probable_only();
        let threshold = &mut self.azure_skip_threshold;
        threshold.limit = AZURE_MAX_SKIPPED;
        if certain + probable > threshold.certain + threshold.probable {
            threshold.certain = certain;
            threshold.probable = probable;
        }
        if certain > AZURE_MAX_SKIPPED {
            threshold.files_over += 1;
        } else if certain + probable > AZURE_MAX_SKIPPED {
            threshold.files_over_if_probable += 1;
        }
    }

    /// Sets the token figures from the run's totals: the skipped images' tokens do not
    /// train. Billed tokens and cost are scaled by the share that trains (an estimate:
    /// exact unless an example is over the per-example limit, where the cap applies to
    /// what is left).
    pub fn price(&mut self, tokens: &TokenSummary) {
        let low = Trained::of(
            tokens.total,
            tokens.billed,
            tokens.cost,
            self.skipped_tokens,
        );
        // Skipped images are of known size, or URLs the platform cannot fetch either,
        // counted at their least in both bounds.
        let high = Trained::of(
            tokens.total_high,
            tokens.billed_high,
            tokens.cost_high,
            self.skipped_tokens,
        );
        self.tokens = Some(TrainedTokens {
            total: tokens.total,
            trained: low.tokens,
            billed: tokens.billed,
            billed_trained: low.billed,
            cost: tokens.cost,
            cost_trained: low.cost,
            total_high: tokens.total_high,
            trained_high: high.tokens,
            billed_high: tokens.billed_high,
            billed_trained_high: high.billed,
            cost_high: tokens.cost_high,
            cost_trained_high: high.cost,
        });
    }
}

/// What trains of one bound's figures.
struct Trained {
    tokens: u64,
    billed: u64,
    cost: f64,
}

impl Trained {
    fn of(total: u64, billed: u64, cost: f64, skipped: u64) -> Self {
        let trained = total.saturating_sub(skipped);
        #[allow(clippy::cast_precision_loss, reason = "a ratio of token counts")]
        let share = if total == 0 {
            1.0
        } else {
            trained as f64 / total as f64
        };
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "a share in [0, 1] of a token count"
        )]
        let billed_trained = (billed as f64 * share).round() as u64;
        Self {
            tokens: trained,
            billed: billed_trained,
            cost: cost * share,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointer(text: &str) -> JsonPointer {
        text.trim_start_matches('/')
            .split('/')
            .fold(JsonPointer::root(), |p, key| p.key(key))
    }

    #[test]
    fn an_image_counts_once_with_its_strongest_reason() {
        let mut skips = FileSkips::default();
        let image = pointer("/messages/0/content/0/image_url/url");
        skips.skip(3, 2, &image, (SkipReason::Face, Certainty::Probable), 85);
        skips.skip(3, 2, &image, (SkipReason::Mode, Certainty::Certain), 85);
        skips.skip(3, 2, &image, (SkipReason::Format, Certainty::Certain), 85);
        let mut forecast = Forecast::default();
        let totals = FileTotals {
            examples: 5,
            examples_with_images: 4,
            images: 6,
            unverified: 0,
        };
        forecast.add_file(totals, &skips);
        assert_eq!(forecast.images_skipped, 1);
        assert_eq!(forecast.images_skipped_by_reason.format, 1);
        assert_eq!(forecast.images_probably_skipped, 0);
        assert_eq!(
            (
                forecast.keep_all_images,
                forecast.lose_some_images,
                forecast.lose_all_images
            ),
            (3, 1, 0)
        );
        assert_eq!(skips.certain_lines().collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn the_threshold_counts_probable_examples_apart() {
        let mut skips = FileSkips::default();
        let image = pointer("/messages/0/content/0/image_url/url");
        for line in 1..=150 {
            skips.skip(line, 1, &image, (SkipReason::Url, Certainty::Certain), 85);
        }
        for line in 151..=220 {
            skips.skip(line, 1, &image, (SkipReason::Face, Certainty::Probable), 85);
        }
        let mut forecast = Forecast::default();
        let totals = FileTotals {
            examples: 300,
            examples_with_images: 300,
            images: 300,
            unverified: 0,
        };
        forecast.add_file(totals, &skips);
        let threshold = forecast.azure_skip_threshold;
        assert_eq!((threshold.certain, threshold.probable), (150, 70));
        assert_eq!(
            (threshold.files_over, threshold.files_over_if_probable),
            (0, 1)
        );
        assert_eq!(forecast.lose_all_images, 220);
        assert_eq!(forecast.keep_all_images, 80);
    }
}
