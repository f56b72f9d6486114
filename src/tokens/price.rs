//! Training prices, default epochs and billed tokens (spec §7).

use crate::tokens::model::Model;

/// When the price table was read, and where: OpenAI's pricing page, "Fine-tuning" table
/// (spec §7.3, OAI-PRICING, 2026). Prices change; `--price-per-million` overrides them.
pub const PRICES_AS_OF: &str = "2026";
pub const PRICES_SOURCE: &str = "OpenAI pricing page, fine-tuning table";

/// USD per million training tokens (spec §7.3; the same in the Standard and Batch tables).
/// Azure publishes no training prices in the docs consulted; OpenAI's are used for both.
pub fn training_price_per_million(model: Model) -> f64 {
    match model {
        Model::Gpt4o | Model::Gpt41 => 25.00,
        Model::Gpt41Mini => 5.00,
        Model::Gpt41Nano => 1.50,
        Model::Gpt4oMini => 3.00,
    }
}

/// CB-PREP's default `n_epochs` for a file of `examples` training examples (spec §7.1):
/// 3, raised so small files see at least 100 examples (at most 25 epochs), lowered so
/// large ones see at most 25,000 (at least 1 epoch).
pub fn default_epochs(examples: u64) -> u64 {
    const TARGET_EPOCHS: u64 = 3;
    const MIN_TARGET_EXAMPLES: u64 = 100;
    const MAX_TARGET_EXAMPLES: u64 = 25_000;
    const MIN_DEFAULT_EPOCHS: u64 = 1;
    const MAX_DEFAULT_EPOCHS: u64 = 25;
    if examples == 0 {
        return TARGET_EPOCHS;
    }
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES {
        MAX_DEFAULT_EPOCHS.min(MIN_TARGET_EXAMPLES / examples)
    } else if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES {
        MIN_DEFAULT_EPOCHS.max(MAX_TARGET_EXAMPLES / examples)
    } else {
        TARGET_EPOCHS
    }
}

/// USD for `tokens` at `price_per_million`.
pub fn cost(tokens: u64, price_per_million: f64) -> f64 {
    // Token counts stay far below 2^52: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    let tokens = tokens as f64;
    tokens * price_per_million / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookbook_epochs() {
        // OAI-SFT's 10-line job ran 10 epochs; CB-PREP's 5-example run says 20.
        assert_eq!(default_epochs(10), 10);
        assert_eq!(default_epochs(5), 20);
        assert_eq!(default_epochs(1), 25);
        assert_eq!(default_epochs(500), 3);
        assert_eq!(default_epochs(10_000), 2);
        assert_eq!(default_epochs(100_000), 1);
        assert_eq!(default_epochs(34), 3);
        assert_eq!(default_epochs(33), 3);
        assert_eq!(default_epochs(32), 3);
    }

    #[test]
    fn cost_of_the_guide_example() {
        // OAI-FTG-2024: 100,000 tokens × 3 epochs on gpt-4o-mini ≈ $0.90.
        let usd = cost(300_000, training_price_per_million(Model::Gpt4oMini));
        assert!((usd - 0.90).abs() < 1e-9);
    }
}
