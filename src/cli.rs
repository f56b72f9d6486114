//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::OutputFormat;
use crate::target::Target;
use crate::tokens::{Model, Pricing};

/// Validate and lint OpenAI / Azure OpenAI vision fine-tuning JSONL files before upload.
///
/// Exit status: 0 no error-severity finding, 1 findings, 2 vft could not do its job
/// (unreadable file, bad arguments).
#[derive(Debug, Parser)]
#[command(name = "vft", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check training files and report every problem with its line.
    Check(CheckArgs),
    /// List every rule: code, name, default severity, summary.
    Rules(RulesArgs),
    /// Count tokens and estimate the training cost: per-example lengths, epochs, billed
    /// tokens, price.
    Stats(StatsArgs),
    /// Print a rule's documentation.
    Rule {
        /// A rule code (`VFT202`) or name (`invalid-image-detail`).
        rule: String,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// JSONL files to check; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The platform the file is for; limits differ where the platforms' docs differ.
    #[arg(long, value_enum, default_value_t = Target::OpenAi)]
    pub target: Target,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// When to colour human output (`auto` honours `NO_COLOR` and whether stdout is a terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Also decode every image's pixels (slower); by default vft reads headers and walks
    /// each file's structure, which finds truncation without decoding.
    #[arg(long)]
    pub deep: bool,

    #[command(flatten)]
    pub tokens: TokenArgs,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// JSONL files to count; `-` reads standard input. Figures cover all files together.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The platform the file is for (its vision model is the default `--model`).
    #[arg(long, value_enum, default_value_t = Target::OpenAi)]
    pub target: Target,

    /// Output format: a table and a histogram, or JSON Lines (one record per example, then
    /// the totals).
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    #[command(flatten)]
    pub tokens: TokenArgs,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// How tokens are counted and priced.
#[derive(Debug, Clone, Copy, Args)]
pub struct TokenArgs {
    /// The model to count and price for: its per-example token limit, image tokens and
    /// training price (default: the target's vision model, gpt-4o-2024-08-06).
    #[arg(long, value_enum, value_name = "MODEL")]
    pub model: Option<Model>,

    /// Epochs to bill (default: the cookbook's rule from the number of examples).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=50))]
    pub epochs: Option<u64>,

    /// USD per million training tokens (default: the model's list price, dated in
    /// `vft stats` output).
    #[arg(long, value_name = "USD", value_parser = parse_price)]
    pub price_per_million: Option<f64>,
}

impl TokenArgs {
    /// The model and pricing for `target`.
    pub fn pricing(&self, target: Target) -> Pricing {
        Pricing {
            model: self.model.unwrap_or_else(|| target.vision_model()),
            epochs: self.epochs,
            price_per_million: self.price_per_million,
        }
    }
}

fn parse_price(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(price) if price.is_finite() && price >= 0.0 => Ok(price),
        _ => Err(format!(
            "`{text}` is not a price in USD (a number, 0 or more)"
        )),
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format: a table, or JSON Lines (one rule per line).
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour, given the `NO_COLOR` variable and whether stdout is a terminal.
    pub fn enabled(self, no_color: Option<&std::ffi::OsStr>, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(std::ffi::OsStr::is_empty),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_disables_auto_only() {
        assert!(ColorChoice::Auto.enabled(None, true));
        assert!(ColorChoice::Auto.enabled(Some(OsStr::new("")), true));
        assert!(!ColorChoice::Auto.enabled(Some(OsStr::new("1")), true));
        assert!(!ColorChoice::Auto.enabled(None, false));
        assert!(ColorChoice::Always.enabled(Some(OsStr::new("1")), false));
        assert!(!ColorChoice::Never.enabled(None, true));
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
