//! The command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{Faces, FailOn, Overrides};
use crate::fetch;
use crate::media::probe::ProbeDepth;
use crate::method::MethodChoice;
use crate::render::OutputFormat;
use crate::target::Target;
use crate::tokens::{Model, Pricing};

/// Validate and lint OpenAI / Azure OpenAI vision fine-tuning JSONL files before upload.
///
/// Exit status: 0 no finding at or above `--fail-on` (default: error), 1 findings, 2 vft
/// could not do its job (unreadable file, bad arguments or configuration).
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
    /// Write a fixed copy of a training file: images re-encoded as the platform takes them,
    /// BOM, line endings, null keys and weights normalised; lines that stay invalid set
    /// aside unchanged. The input is never modified (except with `--in-place`, atomically).
    Fix(FixArgs),
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
    /// Print the effective configuration (file, flags, defaults) and where each value
    /// comes from.
    Config(ConfigCommandArgs),
}

/// How `vft config` finds the configuration: as `vft check` would for `FILE`.
#[derive(Debug, Args)]
pub struct ConfigCommandArgs {
    /// Show the configuration `vft check FILE` would use (default: the working directory's).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Settings that a configuration file can also hold; flags override the file.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Read this configuration file (`vft.toml`, or a `pyproject.toml` with `[tool.vft]`)
    /// instead of looking for one above the first checked file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Read no configuration file.
    #[arg(long, alias = "no-config", conflicts_with = "config")]
    pub isolated: bool,

    /// The platform the file is for; limits differ where the platforms' docs differ
    /// [default: openai].
    #[arg(long, value_enum)]
    pub target: Option<Target>,

    /// The training method: `auto` decides per file from its first example's shape (SFT
    /// chat, DPO preference pairs, RFT prompts); a fixed method reports a file in another
    /// method's format once [default: auto].
    #[arg(long, value_enum, value_name = "METHOD")]
    pub method: Option<MethodChoice>,

    /// Run only these rules: codes (`VFT202`), code prefixes (`VFT2`) or names;
    /// comma-separated or repeated. Replaces the configuration's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,

    /// Do not run these rules (codes, prefixes or names; comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// The lowest severity that makes the exit status 1 [default: error].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Screen images for faces (`image-shows-face`; the forecast's probable skips). It
    /// decodes every image: much slower than the header checks [default: off].
    #[arg(long, value_enum, value_name = "ON|OFF")]
    pub faces: Option<Faces>,

    /// Show at most N findings of each rule; the summary still counts all. 0 shows all
    /// [default: 50; json and sarif: 0].
    #[arg(long, value_name = "N")]
    pub max_per_rule: Option<u64>,

    /// Show at most N findings in all; the summary still counts all. 0 shows all
    /// [default: 0].
    #[arg(long, value_name = "N")]
    pub max_diagnostics: Option<u64>,

    /// Report every info finding on its own line; by default a rule's info findings are one
    /// per file, with their count and first lines (as config `info-per-line = true`).
    #[arg(long)]
    pub info_per_line: bool,
}

impl ConfigArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            isolated: self.isolated,
            target: self.target,
            method: self.method,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            fail_on: self.fail_on,
            faces: self.faces,
            max_per_rule: self.max_per_rule,
            max_diagnostics: self.max_diagnostics,
            info_per_line: self.info_per_line.then_some(true),
        }
    }
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent command-line switches
pub struct CheckArgs {
    /// JSONL files to check; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub config: ConfigArgs,

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

    /// Worker threads (default: one per core; at most 1024).
    #[arg(long, short = 'j', value_name = "N", value_parser = jobs)]
    pub jobs: Option<usize>,

    /// Exit 0 even when there are findings (2 still means vft could not do its job).
    #[arg(long)]
    pub exit_zero: bool,

    /// Print no diagnostics, only the summary, and nothing when there are no findings.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print a count per rule instead of the diagnostics (a JSON array with `--format json`).
    #[arg(long)]
    pub statistics: bool,

    #[command(flatten)]
    pub fetch: FetchArgs,
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent command-line switches
pub struct FixArgs {
    /// The JSONL file to fix; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Where the fixed file goes; `-` writes to standard output. It appears under this
    /// name only once complete.
    #[arg(long, short = 'o', value_name = "OUT", required_unless_present_any = ["in_place", "diff"], conflicts_with = "in_place")]
    pub output: Option<PathBuf>,

    /// Replace FILE with the fixed file: written beside it, synced, read back, then renamed
    /// over it. FILE is never truncated first.
    #[arg(long)]
    pub in_place: bool,

    /// Write nothing; print what would change, line by line (long strings cut). Exit 1 when
    /// something would change.
    #[arg(long, conflicts_with_all = ["output", "in_place"])]
    pub diff: bool,

    /// Where lines that stay invalid go, unchanged; their line numbers and reasons go to
    /// `REJECTS` with `.reasons.jsonl` for `.jsonl` [default: OUT (or FILE) with
    /// `.rejects.jsonl` for `.jsonl`].
    #[arg(long, value_name = "REJECTS", conflicts_with = "keep_invalid")]
    pub rejects: Option<PathBuf>,

    /// Keep lines that stay invalid in the output, unchanged, instead of setting them aside.
    #[arg(long)]
    pub keep_invalid: bool,

    /// Apply unsafe fixes too: downscaling an image over the size limit, keeping one frame
    /// of an animation (`vft rules` shows each rule's fix).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Apply only these rules' fixes (codes, prefixes or names; comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub fixable: Option<Vec<String>>,

    /// Never apply these rules' fixes.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub unfixable: Vec<String>,

    /// Keep images' ICC colour profiles when re-encoding (other metadata is dropped).
    #[arg(long)]
    pub keep_icc: bool,

    /// Also downscale every data-URI image to the size the platform scales it to for its
    /// `detail` (`low`: within 512×512; `high`/`auto`: within 2048×2048 and 768 px on the
    /// short side): a smaller file, the same tokens (checked for each image).
    #[arg(long)]
    pub fit_detail: bool,

    /// Fetch http(s) image URLs (as `vft check` does: address policy, timeouts, size
    /// limit) and embed them as data URIs, repaired like any other image. A URL that gives
    /// no image sets its line aside with the reason. Off by default: URLs are left as they
    /// are. Cannot be used with `--offline`.
    #[arg(long)]
    pub inline_urls: bool,

    #[command(flatten)]
    pub config: ConfigArgs,

    /// When to colour messages (`auto` honours `NO_COLOR` and whether stderr is a terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Worker threads (default: one per core; at most 1024).
    #[arg(long, short = 'j', value_name = "N", value_parser = jobs)]
    pub jobs: Option<usize>,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    // How `--inline-urls` fetches; last, as its help heading applies to what follows.
    #[command(flatten)]
    pub fetch: FetchArgs,
}

/// How image URLs are fetched.
#[derive(Debug, Args)]
#[command(next_help_heading = "Image URLs")]
pub struct FetchArgs {
    /// Do not fetch image URLs (no network at all); one info per file says how many were
    /// not checked.
    #[arg(long)]
    pub offline: bool,

    /// Fetch URLs on loopback, private and link-local addresses too (for testing against
    /// a local server); the platform cannot reach them.
    #[arg(long)]
    pub allow_private_urls: bool,

    /// Threads fetching URLs (apart from the checking threads).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub fetch_jobs: u16,

    /// Requests in flight to one host at most.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub fetch_per_host: u16,

    /// Seconds to wait for a connection (at most 300).
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds_up_to::<300>)]
    pub connect_timeout: Duration,

    /// Seconds one request may take, from connecting to the end of the body (at most 3600).
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds_up_to::<3600>)]
    pub fetch_timeout: Duration,

    /// Retries of a request answered 429 or 5xx (with backoff, honouring `Retry-After`; the
    /// waits of one URL add up to 30 s at most); at most 10.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub fetch_retries: u32,

    /// Seconds all the fetching of one file may take; URLs not fetched by then are counted
    /// as not checked, as with `--offline` (default: no bound; at most 86400).
    #[arg(long, value_name = "SECONDS", value_parser = seconds_up_to::<86_400>)]
    pub fetch_budget: Option<Duration>,

    /// Where to cache fetch results (default: the user's cache directory).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Do not read or write the fetch cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
}

impl CheckArgs {
    /// How deep images are probed.
    pub fn depth(&self) -> ProbeDepth {
        if self.deep {
            ProbeDepth::Pixels
        } else {
            ProbeDepth::Headers
        }
    }
}

impl FetchArgs {
    /// The fetcher's settings, probing fetched images to `depth`.
    pub fn config(&self, depth: ProbeDepth) -> fetch::Config {
        fetch::Config {
            jobs: self.fetch_jobs.into(),
            per_host: self.fetch_per_host.into(),
            connect_timeout: self.connect_timeout,
            timeout: self.fetch_timeout,
            retries: self.fetch_retries,
            budget: self.fetch_budget,
            allow_private: self.allow_private_urls,
            depth,
            cache_dir: if self.no_cache {
                None
            } else {
                self.cache_dir.clone().or_else(fetch::default_cache_dir)
            },
            progress: std::io::stderr().is_terminal(),
            ..fetch::Config::default()
        }
    }
}

/// A positive number of seconds up to `MAX`, fractions allowed (`0.5`).
fn seconds_up_to<const MAX: u32>(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(value > 0.0 && value <= f64::from(MAX)) {
        return Err(format!("must be more than 0 and at most {MAX} seconds"));
    }
    Ok(Duration::from_secs_f64(value))
}

/// A number of threads, 1 to 1024 (more only exhausts the machine).
fn jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n @ 1..=1024) => Ok(n),
        _ => Err(format!(
            "`{text}` is not a number of threads from 1 to 1024"
        )),
    }
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
    #[arg(long, value_enum, default_value_t = TableFormat::Human)]
    pub format: TableFormat,

    #[command(flatten)]
    pub tokens: TokenArgs,

    /// Worker threads (default: one per core; at most 1024).
    #[arg(long, short = 'j', value_name = "N", value_parser = jobs)]
    pub jobs: Option<usize>,

    /// Image URLs are fetched to count their tokens from their real size.
    #[command(flatten)]
    pub fetch: FetchArgs,
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
    #[arg(long, value_enum, default_value_t = TableFormat::Human)]
    pub format: TableFormat,
}

/// Output of the commands that print a table (`vft rules`, `vft stats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// A table for people.
    Human,
    /// JSON Lines.
    Json,
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
    fn seconds_take_fractions_and_refuse_nonsense() {
        let seconds = seconds_up_to::<86_400>;
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "x", "NaN", "inf", "86401"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert!(seconds_up_to::<300>("301").is_err());
        assert_eq!(jobs("8"), Ok(8));
        for bad in ["0", "1025", "100000", "-1", "x"] {
            assert!(jobs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
