//! Tokens per example and what they cost: text (`text`), images (`image`), the model
//! table (`model`), prices and epochs (`price`), and dataset totals (`Tally`).

mod bpe;
pub mod image;
pub mod model;
pub mod price;
pub mod text;

use serde::Serialize;

use crate::example::{Example, ImageSource};
use crate::json::{Json, Number};
use crate::media::probe::Probe;
use crate::numbers::{count, dollars_range, thousands_range};
use crate::tokens::image::Detail;
pub use crate::tokens::model::Model;

/// What one example costs, counted once per example by the engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExampleTokens {
    /// Messages, tool definitions and the reply's priming.
    pub text: u32,
    pub image: u32,
    /// What CB-PREP counts as the assistant's: the content of assistant messages.
    pub assistant: u32,
    /// Images whose dimensions vft does not know (URLs, bytes that are no image); each is
    /// counted at its least cost (`image::unknown_bounds`).
    pub unknown_images: u32,
    /// Of those, the image URLs (not fetched yet, or not at all): the platform fetches
    /// them, so each may cost up to the most its `detail` allows.
    pub unfetched_images: u32,
    /// How many tokens more than counted the unfetched images can cost at most.
    pub unfetched_headroom: u32,
    /// Where the first trained (weight not 0) assistant content starts: truncating the
    /// example to this many tokens or fewer removes every trained assistant token.
    pub first_trained: Option<u32>,
}

impl ExampleTokens {
    pub fn total(&self) -> u32 {
        self.text.saturating_add(self.image)
    }

    /// The most the example can cost: its unfetched images at their largest.
    pub fn total_high(&self) -> u32 {
        self.total().saturating_add(self.unfetched_headroom)
    }

    /// Counts `example` for `model`; `probes` says what each of its images is (same order
    /// as `example.images`), for their dimensions.
    pub fn count(example: &Example<'_>, probes: &[Option<Probe>], model: Model) -> Self {
        let mut tokens = Self {
            // A DPO example declares its tools in `input`.
            text: example
                .tools_holder()
                .map_or(0, |(holder, _)| text::tool_definitions(holder)),
            ..Self::default()
        };
        // Image tokens per message index, to place the first trained assistant token.
        let mut image_by_message: Vec<(u32, u32)> = Vec::with_capacity(example.images.len());
        for (index, image) in example.images.iter().enumerate() {
            let detail = Detail::of(image.detail);
            let dimensions = probes
                .get(index)
                .and_then(Option::as_ref)
                .map(|p| (p.header.width, p.header.height));
            let (cost, unknown) = image::counted_tokens(dimensions, detail, model);
            tokens.unknown_images += u32::from(unknown);
            // Bytes that are no image stay at their least: the platform skips them.
            if unknown && matches!(image.source, ImageSource::Remote(_)) {
                tokens.unfetched_images += 1;
                tokens.unfetched_headroom = tokens
                    .unfetched_headroom
                    .saturating_add(image::unknown_bounds(detail, model).headroom());
            }
            tokens.image = tokens.image.saturating_add(cost);
            image_by_message.push((image.part.message.index, cost));
        }
        for message in example.messages() {
            let counted = text::message(message.value);
            if message.role == Some("assistant") {
                tokens.assistant = tokens.assistant.saturating_add(counted.content);
                let trained = !matches!(
                    message.get("weight"),
                    Some(Json::Number(Number::UInt(0) | Number::Int(0)))
                );
                if trained && tokens.first_trained.is_none() {
                    let images_before: u32 = image_by_message
                        .iter()
                        .filter(|(index, _)| *index < message.index)
                        .map(|(_, cost)| cost)
                        .sum();
                    tokens.first_trained = Some(
                        tokens
                            .text
                            .saturating_add(images_before)
                            .saturating_add(counted.head),
                    );
                }
            }
            tokens.text = tokens.text.saturating_add(counted.total);
        }
        // A DPO example's outputs: the input plus both outputs are counted, an estimate no
        // platform document confirms (UNVERIFIED, fixtures/realworld/RESEARCH.md (a)).
        for output in &example.outputs {
            let counted = text::message(output.value);
            tokens.assistant = tokens.assistant.saturating_add(counted.content);
            tokens.text = tokens.text.saturating_add(counted.total);
        }
        tokens.text = tokens.text.saturating_add(text::REPLY_PRIMING);
        tokens
    }
}

/// Dataset figures over many examples (spec §7): per-example totals are kept, 4 bytes
/// each, so the median and percentiles are exact however large the file.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub totals: Vec<u32>,
    pub text: u64,
    pub image: u64,
    pub assistant: u64,
    pub images_unknown: u64,
    /// Image URLs of unknown size (`ExampleTokens::unfetched_images`).
    pub images_unfetched: u64,
    /// Lines that are not examples vft could count (invalid JSON, not an object).
    pub uncounted: u64,
    /// In the current file, the examples with images of unknown size: (line, index into
    /// `totals`), in line order, so a fetched image's size can still be counted.
    unknown_sized: Vec<(u64, usize)>,
    /// The examples whose unfetched image URLs can cost more than counted: (index into
    /// `totals`, how many tokens more), in order; 8 bytes for each such example only.
    headroom: Vec<(usize, u32)>,
}

/// What fetching one image URL (whose example counted it at its least) taught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchedImage {
    /// How many tokens more than its least it costs, when its size is now known.
    pub extra: Option<u32>,
    /// The headroom it no longer has: its size is known, or the platform cannot fetch it
    /// either and skips it.
    pub headroom: u32,
}

/// What the unfetched image URLs add when each costs the most it can.
#[derive(Debug, Default)]
struct HighBound {
    tokens: u64,
    billed_per_epoch: u64,
    /// Examples over the limit only at the high bound.
    newly_over_limit: u64,
    /// The longest example at the high bound, among those with headroom.
    max: u32,
}

/// How to price a dataset: the model, and the user's overrides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pricing {
    pub model: Model,
    /// `--epochs`; by default CB-PREP's rule.
    pub epochs: Option<u64>,
    /// `--price-per-million`; by default the model's price in the dated table.
    pub price_per_million: Option<f64>,
}

impl Pricing {
    pub fn new(model: Model) -> Self {
        Self {
            model,
            epochs: None,
            price_per_million: None,
        }
    }
}

/// The headline figures: what `vft check` prints in its summary and `vft stats` in full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenSummary {
    pub model: Model,
    pub examples: u64,
    /// Text and image tokens of every example.
    pub total: u64,
    pub text: u64,
    pub image: u64,
    pub assistant: u64,
    pub images_unknown: u64,
    /// Of `images_unknown`, the image URLs not fetched: the figures below are a range,
    /// each such image from the least (`total`, `billed`, `cost`) to the most
    /// (`*_high`) it can cost. Without them the `*_high` figures equal the others.
    pub images_unfetched: u64,
    pub min: u32,
    pub median: u32,
    pub p90: u32,
    pub max: u32,
    pub example_token_limit: u32,
    pub examples_over_limit: u64,
    pub epochs: u64,
    /// Whether `epochs` is CB-PREP's default (not `--epochs`).
    pub default_epochs: bool,
    /// Per epoch: each example's tokens capped at the model's limit (CB-PREP).
    pub billed_per_epoch: u64,
    /// `billed_per_epoch × epochs`.
    pub billed: u64,
    pub price_per_million: f64,
    pub price_source: String,
    /// Estimated USD: `billed × price_per_million / 1M`.
    pub cost: f64,
    /// `total`, `image`, `max`, `examples_over_limit`, `billed_per_epoch`, `billed` and
    /// `cost` with every unfetched image URL at the most its `detail` allows.
    pub total_high: u64,
    pub image_high: u64,
    pub max_high: u32,
    pub examples_over_limit_high: u64,
    pub billed_per_epoch_high: u64,
    pub billed_high: u64,
    pub cost_high: f64,
}

impl TokenSummary {
    /// One line for people: tokens, billed tokens × epochs, estimated cost; each a range
    /// from least to most when image URLs were not fetched.
    pub fn headline(&self) -> String {
        let epochs = if self.epochs == 1 { "epoch" } else { "epochs" };
        let mut line = format!(
            "Tokens: {} ({}); billed {} × {} {epochs} = {}; estimated cost {} at ${:.2}/1M",
            thousands_range(self.total, self.total_high),
            self.model.name(),
            thousands_range(self.billed_per_epoch, self.billed_per_epoch_high),
            self.epochs,
            thousands_range(self.billed, self.billed_high),
            dollars_range(self.cost, self.cost_high),
            self.price_per_million,
        );
        if self.images_unfetched > 0 {
            let unfetched = count(self.images_unfetched, "image URL", "image URLs");
            line = format!(
                "{line}; {unfetched} of unknown size, each counted from the smallest to the largest image"
            );
        }
        let other_unknown = self.images_unknown.saturating_sub(self.images_unfetched);
        if other_unknown > 0 {
            let unknown = count(other_unknown, "image", "images");
            line = format!("{line}; {unknown} of unknown size counted at the minimum");
        }
        line
    }
}

impl Tally {
    pub fn add(&mut self, tokens: &ExampleTokens) {
        self.totals.push(tokens.total());
        self.text += u64::from(tokens.text);
        self.image += u64::from(tokens.image);
        self.assistant += u64::from(tokens.assistant);
        self.images_unknown += u64::from(tokens.unknown_images);
        self.images_unfetched += u64::from(tokens.unfetched_images);
        if tokens.unfetched_headroom > 0 {
            self.headroom
                .push((self.totals.len() - 1, tokens.unfetched_headroom));
        }
    }

    /// Adds one non-blank line: its tokens, or `None` when it is no countable example.
    pub fn observe(&mut self, line: u64, tokens: Option<&ExampleTokens>) {
        match tokens {
            Some(tokens) => {
                if tokens.unknown_images > 0 {
                    self.unknown_sized.push((line, self.totals.len()));
                }
                self.add(tokens);
            }
            None => self.uncounted += 1,
        }
    }

    /// An image URL of the example on `line` (of the current file), counted at its least
    /// while its size was unknown, was fetched.
    pub fn fetched_image(&mut self, line: u64, fetched: FetchedImage) {
        let Ok(at) = self.unknown_sized.binary_search_by_key(&line, |&(l, _)| l) else {
            return;
        };
        let index = self.unknown_sized[at].1;
        if let Some(extra) = fetched.extra {
            self.totals[index] = self.totals[index].saturating_add(extra);
            self.image += u64::from(extra);
            self.images_unknown = self.images_unknown.saturating_sub(1);
        }
        self.images_unfetched = self.images_unfetched.saturating_sub(1);
        if let Ok(at) = self.headroom.binary_search_by_key(&index, |&(i, _)| i) {
            let room = &mut self.headroom[at].1;
            *room = room.saturating_sub(fetched.headroom);
        }
    }

    /// The current file is done: later lines are another file's.
    pub fn end_file(&mut self) {
        self.unknown_sized.clear();
    }

    pub fn examples(&self) -> u64 {
        self.totals.len() as u64
    }

    /// The figures; sorts the per-example totals.
    pub fn summary(&mut self, pricing: Pricing) -> TokenSummary {
        let model = pricing.model;
        let limit = model.example_token_limit();
        let high = self.high_bound(limit);
        self.totals.sort_unstable();
        let examples = self.examples();
        let epochs = pricing
            .epochs
            .unwrap_or_else(|| price::default_epochs(examples));
        let billed_per_epoch: u64 = self.totals.iter().map(|&t| u64::from(t.min(limit))).sum();
        let billed = billed_per_epoch.saturating_mul(epochs);
        let billed_per_epoch_high = billed_per_epoch + high.billed_per_epoch;
        let billed_high = billed_per_epoch_high.saturating_mul(epochs);
        let examples_over_limit = self.totals.iter().filter(|&&t| t > limit).count() as u64;
        let max = self.totals.last().copied().unwrap_or(0);
        let (price_per_million, price_source) = match pricing.price_per_million {
            Some(price) => (price, "--price-per-million".to_owned()),
            None => (
                price::training_price_per_million(model),
                format!("{}, {}", price::PRICES_SOURCE, price::PRICES_AS_OF),
            ),
        };
        TokenSummary {
            model,
            examples,
            total: self.text + self.image,
            text: self.text,
            image: self.image,
            assistant: self.assistant,
            images_unknown: self.images_unknown,
            images_unfetched: self.images_unfetched,
            min: self.totals.first().copied().unwrap_or(0),
            median: self.percentile(50),
            p90: self.percentile(90),
            max,
            example_token_limit: limit,
            examples_over_limit,
            epochs,
            default_epochs: pricing.epochs.is_none(),
            billed_per_epoch,
            billed,
            price_per_million,
            price_source,
            cost: price::cost(billed, price_per_million),
            total_high: self.text + self.image + high.tokens,
            image_high: self.image + high.tokens,
            max_high: max.max(high.max),
            examples_over_limit_high: examples_over_limit + high.newly_over_limit,
            billed_per_epoch_high,
            billed_high,
            cost_high: price::cost(billed_high, price_per_million),
        }
    }

    /// What the unfetched image URLs add at their most, before `totals` is sorted.
    fn high_bound(&self, limit: u32) -> HighBound {
        let mut high = HighBound::default();
        for &(index, room) in &self.headroom {
            let low = self.totals[index];
            let most = low.saturating_add(room);
            high.tokens += u64::from(room);
            high.billed_per_epoch += u64::from(most.min(limit) - low.min(limit));
            high.newly_over_limit += u64::from(low <= limit && most > limit);
            high.max = high.max.max(most);
        }
        high
    }

    /// Nearest-rank percentile of the sorted totals (0 when there are none).
    fn percentile(&self, p: usize) -> u32 {
        let n = self.totals.len();
        if n == 0 {
            return 0;
        }
        let rank = (p * n).div_ceil(100).max(1);
        self.totals[rank - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::examples::probe_images;
    use crate::media::probe::ProbeDepth;

    fn tokens_of(line: &str, model: Model) -> ExampleTokens {
        let document = crate::json::Document::parse(line).unwrap();
        let example = Example::new(document.root().as_object().unwrap());
        let probes = probe_images(&example, ProbeDepth::Headers);
        ExampleTokens::count(&example, &probes, model)
    }

    #[test]
    fn a_string_example_follows_the_cookbook() {
        let t = tokens_of(
            r#"{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello world"},{"role":"assistant","content":"Hi!"}]}"#,
            Model::Gpt4o,
        );
        let c = text::count;
        let expected = 3 * 3
            + c("system")
            + c("Be brief.")
            + c("user")
            + c("hello world")
            + c("assistant")
            + c("Hi!")
            + 3;
        assert_eq!(t.text, expected);
        assert_eq!(t.image, 0);
        assert_eq!(t.assistant, c("Hi!"));
        let before = 3 * 2 + c("system") + c("Be brief.") + c("user") + c("hello world");
        assert_eq!(t.first_trained, Some(before + 3 + c("assistant")));
    }

    /// A data URI of a black RGB PNG of `width`×`height`.
    fn png_uri(width: u32, height: u32) -> String {
        use base64::Engine as _;
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        writer
            .write_image_data(&vec![0; (width * height * 3) as usize])
            .unwrap();
        writer.finish().unwrap();
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }

    #[test]
    fn data_uri_images_count_from_their_probed_dimensions() {
        let uri = png_uri(1024, 1024);
        let part = |detail: &str| {
            format!(r#"{{"type":"image_url","image_url":{{"url":"{uri}","detail":"{detail}"}}}}"#)
        };
        let line = format!(
            r#"{{"messages":[{{"role":"user","content":[{},{},{}]}},{{"role":"assistant","content":"x"}}]}}"#,
            part("high"),
            part("auto"),
            part("low")
        );
        let t = tokens_of(&line, Model::Gpt4o);
        assert_eq!(t.image, 765 + 765 + 85);
        assert_eq!(t.unknown_images, 0);
        // The assistant comes after the images: they are before its first token.
        assert!(t.first_trained.unwrap() > 765 + 765 + 85);
        let t = tokens_of(&line, Model::Gpt4oMini);
        assert_eq!(t.image, 2 * (2833 + 4 * 5667) + 2833);
    }

    #[test]
    fn url_images_are_unknown_and_low_detail_is_known() {
        let t = tokens_of(
            r#"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/a.png"}},{"type":"image_url","image_url":{"url":"https://x/b.png","detail":"low"}}]},{"role":"assistant","content":"x","weight":0}]}"#,
            Model::Gpt4o,
        );
        // The URL without `detail` (auto) at its least, one tile; `low` is 85 at any size.
        assert_eq!(t.unknown_images, 1);
        assert_eq!(t.unfetched_images, 1);
        assert_eq!(t.image, 255 + 85);
        assert_eq!(t.unfetched_headroom, 1445 - 255);
        assert_eq!(t.first_trained, None);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut tally = Tally::default();
        for total in [5, 1, 4, 2, 3, 10, 9, 8, 7, 6] {
            tally.add(&ExampleTokens {
                text: total,
                ..ExampleTokens::default()
            });
        }
        let s = tally.summary(Pricing::new(Model::Gpt4o));
        assert_eq!((s.min, s.median, s.p90, s.max), (1, 5, 9, 10));
        assert_eq!(s.total, 55);
        assert_eq!(s.epochs, 10);
        assert_eq!(s.billed, 550);
    }

    #[test]
    fn unfetched_images_bound_every_figure_from_above_and_fetching_narrows_it() {
        let mut tally = Tally::default();
        let example = |text, headroom| ExampleTokens {
            text,
            image: 255,
            unknown_images: 1,
            unfetched_images: 1,
            unfetched_headroom: headroom,
            ..ExampleTokens::default()
        };
        // Line 1 crosses the limit only at the high bound; line 2 is known.
        tally.observe(1, Some(&example(65_000, 1190)));
        tally.observe(
            2,
            Some(&ExampleTokens {
                text: 100,
                ..ExampleTokens::default()
            }),
        );
        let pricing = Pricing {
            model: Model::Gpt4o,
            epochs: Some(2),
            price_per_million: Some(10.0),
        };
        let s = tally.clone().summary(pricing);
        assert_eq!((s.total, s.total_high), (65_355, 65_355 + 1190));
        assert_eq!(s.image_high - s.image, 1190);
        assert_eq!((s.max, s.max_high), (65_255, 66_445));
        assert_eq!((s.examples_over_limit, s.examples_over_limit_high), (0, 1));
        // Billed per example up to the limit: 65,536 − 65,255 more, not 1,190.
        assert_eq!(
            s.billed_per_epoch_high - s.billed_per_epoch,
            65_536 - 65_255
        );
        assert_eq!(s.billed_high, 2 * s.billed_per_epoch_high);
        assert!(s.cost_high > s.cost);

        // Its image is fetched: 765 tokens, 510 over the least; no range is left.
        tally.fetched_image(
            1,
            FetchedImage {
                extra: Some(510),
                headroom: 1190,
            },
        );
        let s = tally.summary(pricing);
        assert_eq!(s.images_unfetched, 0);
        assert_eq!(s.total, 65_355 + 510);
        assert_eq!(
            (s.total_high, s.billed_high, s.max_high),
            (s.total, s.billed, s.max)
        );
    }

    #[test]
    fn billing_caps_each_example_at_the_limit() {
        let mut tally = Tally::default();
        tally.add(&ExampleTokens {
            text: 70_000,
            ..ExampleTokens::default()
        });
        tally.add(&ExampleTokens {
            text: 100,
            ..ExampleTokens::default()
        });
        let s = tally.summary(Pricing {
            model: Model::Gpt4o,
            epochs: Some(2),
            price_per_million: Some(10.0),
        });
        assert_eq!(s.billed_per_epoch, 65_536 + 100);
        assert_eq!(s.billed, 2 * (65_536 + 100));
        assert_eq!(s.examples_over_limit, 1);
        assert!((s.cost - 2.0 * 65_636.0 * 10.0 / 1e6).abs() < 1e-9);
    }
}
