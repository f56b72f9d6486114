//! The models a file can be for, with what differs between them: the per-example token
//! limit, how images are priced in tokens, and the training price.

use clap::ValueEnum;
use serde::Serialize;

/// A fine-tunable model snapshot (spec §3.1, §5, §7.3). Every one uses `o200k_base` (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
pub enum Model {
    #[value(name = "gpt-4o-2024-08-06", alias = "gpt-4o")]
    #[serde(rename = "gpt-4o-2024-08-06")]
    Gpt4o,
    #[value(name = "gpt-4o-mini-2024-07-18", alias = "gpt-4o-mini")]
    #[serde(rename = "gpt-4o-mini-2024-07-18")]
    Gpt4oMini,
    #[value(name = "gpt-4.1-2025-04-14", alias = "gpt-4.1")]
    #[serde(rename = "gpt-4.1-2025-04-14")]
    Gpt41,
    #[value(name = "gpt-4.1-mini-2025-04-14", alias = "gpt-4.1-mini")]
    #[serde(rename = "gpt-4.1-mini-2025-04-14")]
    Gpt41Mini,
    #[value(name = "gpt-4.1-nano-2025-04-14", alias = "gpt-4.1-nano")]
    #[serde(rename = "gpt-4.1-nano-2025-04-14")]
    Gpt41Nano,
}

impl Model {
    pub fn name(self) -> &'static str {
        match self {
            Model::Gpt4o => "gpt-4o-2024-08-06",
            Model::Gpt4oMini => "gpt-4o-mini-2024-07-18",
            Model::Gpt41 => "gpt-4.1-2025-04-14",
            Model::Gpt41Mini => "gpt-4.1-mini-2025-04-14",
            Model::Gpt41Nano => "gpt-4.1-nano-2025-04-14",
        }
    }

    /// Tokens one training example may hold before the platform truncates it (spec §3.1:
    /// OAI-FTG-2024 for gpt-4o and gpt-4o-mini; AZ-MODELS, the only source, for gpt-4.1).
    pub fn example_token_limit(self) -> u32 {
        match self {
            Model::Gpt41Nano => 32_768,
            Model::Gpt4o | Model::Gpt4oMini | Model::Gpt41 | Model::Gpt41Mini => 65_536,
        }
    }

    /// How the model turns an image into tokens (spec §5).
    pub fn image_scheme(self) -> ImageScheme {
        match self {
            Model::Gpt4o | Model::Gpt41 => ImageScheme::Tiles {
                base: 85,
                tile: 170,
            },
            Model::Gpt4oMini => ImageScheme::Tiles {
                base: 2833,
                tile: 5667,
            },
            Model::Gpt41Mini => ImageScheme::Patches {
                budget: 1536,
                multiplier: 1.62,
            },
            Model::Gpt41Nano => ImageScheme::Patches {
                budget: 1536,
                multiplier: 2.46,
            },
        }
    }
}

/// How a model prices an image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ImageScheme {
    /// 512 px tiles (gpt-4o, gpt-4.1, gpt-4o-mini; spec §5.1).
    Tiles { base: u32, tile: u32 },
    /// 32 px patches, capped at `budget`, times `multiplier` (gpt-4.1-mini and -nano;
    /// spec §5.2, the 2025 text's 1,536-patch cap: the 2026 table's 6,144 budget is noted
    /// there as a discrepancy, and neither model takes images in fine-tuning).
    Patches { budget: u32, multiplier: f64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_with_and_without_the_snapshot_date() {
        for model in Model::value_variants() {
            assert_eq!(Model::from_str(model.name(), false), Ok(*model));
        }
        assert_eq!(Model::from_str("gpt-4.1", false), Ok(Model::Gpt41));
        assert_eq!(Model::from_str("gpt-4o", false), Ok(Model::Gpt4o));
    }
}
