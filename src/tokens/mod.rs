//! Tokens per example and what they cost: text (`text`), images (`image`), the model
//! table (`model`), prices and epochs (`price`), and dataset totals (`Tally`).

mod bpe;
pub mod image;
pub mod model;
pub mod price;
pub mod text;

use serde::Serialize;

use crate::example::Example;
use crate::json::{Json, Number};
use crate::media::probe::Probe;
use crate::numbers::thousands;
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
    /// counted at its least cost, the model's base tokens.
    pub unknown_images: u32,
    /// Where the first trained (weight not 0) assistant content starts: truncating the
    /// example to this many tokens or fewer removes every trained assistant token.
    pub first_trained: Option<u32>,
}

impl ExampleTokens {
    pub fn total(&self) -> u32 {
        self.text.saturating_add(self.image)
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
    /// Lines that are not examples vft could count (invalid JSON, not an object).
    pub uncounted: u64,
    /// In the current file, the examples with images of unknown size: (line, index into
    /// `totals`), in line order, so a fetched image's size can still be counted.
    unknown_sized: Vec<(u64, usize)>,
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
}

impl TokenSummary {
    /// One line for people: tokens, billed tokens × epochs, estimated cost.
    pub fn headline(&self) -> String {
        let epochs = if self.epochs == 1 { "epoch" } else { "epochs" };
        let mut line = format!(
            "Tokens: {} ({}); billed {} × {} {epochs} = {}; estimated cost ${:.2} at ${:.2}/1M",
            thousands(self.total),
            self.model.name(),
            thousands(self.billed_per_epoch),
            self.epochs,
            thousands(self.billed),
            self.cost,
            self.price_per_million,
        );
        if self.images_unknown > 0 {
            let unknown = crate::numbers::count(self.images_unknown, "image", "images");
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

    /// An image of the example on `line` (of the current file), counted at its minimum, was
    /// fetched: it costs `extra` tokens more.
    pub fn fetched_image(&mut self, line: u64, extra: u32) {
        let Ok(at) = self.unknown_sized.binary_search_by_key(&line, |&(l, _)| l) else {
            return;
        };
        let index = self.unknown_sized[at].1;
        self.totals[index] = self.totals[index].saturating_add(extra);
        self.image += u64::from(extra);
        self.images_unknown = self.images_unknown.saturating_sub(1);
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
        self.totals.sort_unstable();
        let model = pricing.model;
        let limit = model.example_token_limit();
        let examples = self.examples();
        let epochs = pricing
            .epochs
            .unwrap_or_else(|| price::default_epochs(examples));
        let billed_per_epoch: u64 = self.totals.iter().map(|&t| u64::from(t.min(limit))).sum();
        let billed = billed_per_epoch.saturating_mul(epochs);
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
            min: self.totals.first().copied().unwrap_or(0),
            median: self.percentile(50),
            p90: self.percentile(90),
            max: self.totals.last().copied().unwrap_or(0),
            example_token_limit: limit,
            examples_over_limit: self.totals.iter().filter(|&&t| t > limit).count() as u64,
            epochs,
            default_epochs: pricing.epochs.is_none(),
            billed_per_epoch,
            billed,
            price_per_million,
            price_source,
            cost: price::cost(billed, price_per_million),
        }
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
        assert_eq!(t.unknown_images, 1);
        assert_eq!(t.image, 85 + 85);
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
