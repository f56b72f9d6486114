//! vft: a validator and linter for vision fine-tuning datasets — the chat-format JSONL files
//! uploaded to fine-tune GPT-4o and GPT-4.1 on OpenAI and Azure OpenAI.
//!
//! The pipeline: [`input::reader`] streams batches of lines; [`engine`] checks them on a
//! rayon pool against the rules of [`rules::REGISTRY`]; [`render`] prints the diagnostics.

pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod example;
pub mod exit;
pub mod input;
pub mod json;
pub mod media;
pub mod render;
pub mod rules;
pub mod stats;
pub mod target;
pub mod tokens;

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use crate::cli::{CheckArgs, Cli, Command, RulesArgs};
use crate::diagnostic::Summary;
use crate::engine::{Options, Stop};
use crate::exit::ExitStatus;
use crate::render::OutputFormat;
use crate::tokens::{ExampleTokens, Tally};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules(args) => list_rules(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Rule { rule } => explain_rule(&rule),
    };
    match result {
        Ok(status) => status,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(error) => {
            tool_error(&format!("cannot write output: {error}"));
            ExitStatus::Error
        }
    }
}

/// Reports a failure of vft itself on stderr.
#[allow(clippy::print_stderr)] // the one place vft's own errors are written
pub(crate) fn tool_error(message: &str) {
    eprintln!("vft: error: {message}");
}

fn check(args: &CheckArgs) -> io::Result<ExitStatus> {
    let color = args.color.enabled(
        std::env::var_os("NO_COLOR").as_deref(),
        io::stdout().is_terminal(),
    );
    let stdout = io::stdout().lock();
    let mut emitter = render::emitter(args.format, Box::new(BufWriter::new(stdout)), color);

    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
    {
        Ok(pool) => pool,
        Err(error) => {
            tool_error(&format!("cannot start worker threads: {error}"));
            return Ok(ExitStatus::Error);
        }
    };
    let pricing = args.tokens.pricing(args.target);
    let options = Options {
        deep: args.deep,
        model: pricing.model,
        ..Options::new(args.target)
    };
    let mut summary = Summary::default();
    let mut tool_failed = false;
    let mut tally = Tally::default();
    let mut observe = |_, tokens: Option<&ExampleTokens>| tally.observe(tokens);

    for path in &args.files {
        let stdin = path == Path::new("-");
        let name: Arc<str> = if stdin {
            "<stdin>".into()
        } else {
            path.to_string_lossy().into()
        };
        let result = if stdin {
            engine::check_stream_observed(
                io::stdin(),
                &name,
                &options,
                &pool,
                emitter.as_mut(),
                &mut summary,
                &mut observe,
            )
        } else {
            match File::open(path) {
                Ok(file) => engine::check_stream_observed(
                    file,
                    &name,
                    &options,
                    &pool,
                    emitter.as_mut(),
                    &mut summary,
                    &mut observe,
                ),
                Err(error) => Err(Stop::Input(error)),
            }
        };
        match result {
            Ok(()) => {}
            Err(Stop::Input(error)) => {
                tool_error(&format!("cannot read `{name}`: {error}"));
                tool_failed = true;
            }
            Err(Stop::Output(error)) => return Err(error),
        }
    }
    summary.tokens = (tally.examples() > 0).then(|| tally.summary(pricing));
    emitter.finish(&summary)?;

    Ok(if tool_failed {
        ExitStatus::Error
    } else if summary.errors > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn list_rules(args: &RulesArgs) -> io::Result<ExitStatus> {
    let mut out = BufWriter::new(io::stdout().lock());
    for rule in rules::REGISTRY {
        match args.format {
            OutputFormat::Human => writeln!(
                out,
                "{}  {:<33} {:<8} {:<8} {}",
                rule.code,
                rule.name,
                rule.default_severity,
                rule.category.as_str(),
                rule.summary
            )?,
            OutputFormat::Json => {
                let record = serde_json::json!({
                    "code": rule.code,
                    "name": rule.name,
                    "severity": rule.default_severity,
                    "category": rule.category,
                    "summary": rule.summary,
                });
                writeln!(out, "{record}")?;
            }
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn explain_rule(code_or_name: &str) -> io::Result<ExitStatus> {
    let Some(rule) = rules::find(code_or_name) else {
        tool_error(&format!("no rule `{code_or_name}`; `vft rules` lists them"));
        return Ok(ExitStatus::Error);
    };
    let mut out = io::stdout().lock();
    writeln!(out, "# {} {}\n", rule.code, rule.name)?;
    writeln!(out, "{}\n", rule.summary)?;
    writeln!(
        out,
        "Default severity: {}. Category: {}.\n",
        rule.default_severity,
        rule.category.as_str()
    )?;
    write!(out, "{}", rule.documentation())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}
