//! vft: a validator and linter for vision fine-tuning datasets — the chat-format JSONL files
//! uploaded to fine-tune GPT-4o and GPT-4.1 on OpenAI and Azure OpenAI.
//!
//! The pipeline: [`input::reader`] streams batches of lines; [`engine`] checks them on a
//! rayon pool against the rules of [`rules::REGISTRY`]; [`render`] prints the diagnostics.
//! `ARCHITECTURE.md` describes the layers and where new rules, formats and commands go.

pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod example;
pub mod exit;
pub mod fetch;
pub mod fix;
pub mod forecast;
pub mod input;
pub mod json;
pub mod media;
pub mod method;
pub mod models;
pub mod numbers;
pub mod progress;
pub mod render;
pub mod rules;
pub mod summary;
pub mod target;
pub mod tokens;
pub mod tool_calls;

use std::io;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Fix(args) => commands::fix::run(&args),
        Command::Rules(args) => commands::rules::run(&args),
        Command::Stats(args) => commands::stats::run(&args),
        Command::Rule { rule } => commands::rule::run(&rule),
        Command::Config(args) => commands::config::run(&args),
    };
    match result {
        Ok(status) => status,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(error) => {
            commands::tool_error(&format!("cannot write output: {error}"));
            ExitStatus::Error
        }
    }
}
