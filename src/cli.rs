//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::OutputFormat;
use crate::target::Target;

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

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
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
