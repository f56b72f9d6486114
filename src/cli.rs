//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{FailOn, Overrides};
use crate::render::OutputFormat;
use crate::target::Target;

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
    /// List every rule: code, name, default severity, summary.
    Rules(RulesArgs),
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

    /// Show at most N findings of each rule; the summary still counts all. 0 shows all
    /// [default: 50; json and sarif: 0].
    #[arg(long, value_name = "N")]
    pub max_per_rule: Option<u64>,

    /// Show at most N findings in all; the summary still counts all. 0 shows all
    /// [default: 0].
    #[arg(long, value_name = "N")]
    pub max_diagnostics: Option<u64>,
}

impl ConfigArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            isolated: self.isolated,
            target: self.target,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            fail_on: self.fail_on,
            max_per_rule: self.max_per_rule,
            max_diagnostics: self.max_diagnostics,
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

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
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
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format: a table, or JSON Lines (one rule per line).
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
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
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
