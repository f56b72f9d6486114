//! vft: a validator and linter for vision fine-tuning datasets — the chat-format JSONL files
//! uploaded to fine-tune GPT-4o and GPT-4.1 on OpenAI and Azure OpenAI.
//!
//! The pipeline: [`input::reader`] streams batches of lines; [`engine`] checks them on a
//! rayon pool against the rules of [`rules::REGISTRY`]; [`render`] prints the diagnostics.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod example;
pub mod exit;
pub mod fetch;
pub mod input;
pub mod json;
pub mod media;
pub mod numbers;
pub mod progress;
pub mod render;
pub mod rules;
pub mod stats;
pub mod target;
pub mod tokens;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, ConfigCommandArgs, RulesArgs, TableFormat};
use crate::config::{ConfigError, FailOn, Settings};
use crate::diagnostic::Summary;
use crate::engine::{Observed, Options, Stop};
use crate::exit::ExitStatus;
use crate::progress::{AroundProgress, Progress};
use crate::render::cap::{Capped, Caps};
use crate::render::{Emitter, OutputFormat, Sink};
use crate::tokens::Tally;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules(args) => list_rules(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Rule { rule } => explain_rule(&rule),
        Command::Config(args) => show_config(&args),
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

/// Reports a configuration error on stderr, pointing into the file when it can.
#[allow(clippy::print_stderr)] // vft's own errors
fn config_error(error: &ConfigError, color: ColorChoice) {
    let color = color.enabled(
        std::env::var_os("NO_COLOR").as_deref(),
        io::stderr().is_terminal(),
    );
    eprint!("{}", error.render(color));
}

/// Where configuration discovery starts: the first file's directory, or the working
/// directory for standard input.
fn discovery_start(first: Option<&Path>) -> PathBuf {
    let dir = match first {
        Some(path) if path != Path::new("-") => path.parent().unwrap_or(Path::new("")),
        _ => Path::new(""),
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned())
}

fn check(args: &CheckArgs) -> io::Result<ExitStatus> {
    let start = discovery_start(args.files.first().map(PathBuf::as_path));
    let settings = match Settings::load(&start, &args.config.overrides()) {
        Ok(settings) => settings,
        Err(error) => {
            config_error(&error, args.color);
            return Ok(ExitStatus::Error);
        }
    };
    let color = args.color.enabled(
        std::env::var_os("NO_COLOR").as_deref(),
        io::stdout().is_terminal(),
    );
    let progress = Progress::for_bytes(
        args.files
            .iter()
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|metadata| metadata.len())
            .sum(),
    );
    let stdout = io::stdout().lock();
    let out: Box<dyn Write> = if io::stdout().is_terminal() {
        Box::new(BufWriter::new(AroundProgress::new(
            stdout,
            progress.clone(),
        )))
    } else {
        Box::new(BufWriter::new(stdout))
    };
    let cwd = std::env::current_dir().ok();
    let base = match args.format {
        OutputFormat::Github => std::env::var_os("GITHUB_WORKSPACE")
            .filter(|w| !w.is_empty())
            .map(PathBuf::from)
            .or(cwd),
        _ => cwd,
    };
    let mut emitter: Box<dyn Emitter> = if args.statistics {
        Box::new(render::statistics::StatisticsEmitter::new(
            out,
            args.format == OutputFormat::Json,
        ))
    } else {
        let caps = Caps {
            per_rule: settings.per_rule_cap(args.format.is_complete_by_default()),
            total: settings.total_cap(),
            // A SARIF log is a complete record for code scanning: never emptied.
            quiet: args.quiet && args.format != OutputFormat::Sarif,
        };
        let sink = Sink { out, color, base };
        Box::new(Capped::new(render::emitter(args.format, sink), caps))
    };

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
    let pricing = args.tokens.pricing(settings.target.0);
    let fetcher = args.fetch.fetcher(args.deep);
    let options = Options {
        deep: args.deep,
        model: pricing.model,
        progress: progress.clone(),
        fetcher,
        allow_private_urls: args.fetch.allow_private_urls,
        plan: settings.plan.clone(),
        ..Options::new(settings.target.0)
    };
    let mut summary = Summary::default();
    let mut tool_failed = false;
    let mut tally = Tally::default();
    let mut observe = |observed: Observed<'_>| match observed {
        Observed::Example { line, tokens } => tally.observe(line, tokens),
        Observed::FetchedImage { line, extra } => tally.fetched_image(line, extra),
        Observed::FileEnd => tally.end_file(),
    };

    for path in &args.files {
        let name = engine::input_name(path);
        progress.set_file(&name);
        let result = engine::check_path(
            path,
            &name,
            &options,
            &pool,
            emitter.as_mut(),
            &mut summary,
            &mut observe,
        );
        match result {
            Ok(()) => {}
            Err(Stop::Input(error)) => {
                let message = format!("cannot read `{name}`: {error}");
                tool_error(&message);
                summary.failures.push(message);
                tool_failed = true;
            }
            Err(Stop::Output(error)) => return Err(error),
        }
    }
    progress.finish();
    summary.tokens = (tally.examples() > 0).then(|| tally.summary(pricing));
    emitter.finish(&summary)?;

    let failing =
        summary.errors > 0 || (settings.fail_on.0 == FailOn::Warning && summary.warnings > 0);
    Ok(if tool_failed {
        ExitStatus::Error
    } else if failing && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn show_config(args: &ConfigCommandArgs) -> io::Result<ExitStatus> {
    let start = discovery_start(args.file.as_deref());
    match Settings::load(&start, &args.config.overrides()) {
        Ok(settings) => {
            let mut out = io::stdout().lock();
            out.write_all(settings.describe().as_bytes())?;
            out.flush()?;
            Ok(ExitStatus::Success)
        }
        Err(error) => {
            config_error(&error, ColorChoice::Auto);
            Ok(ExitStatus::Error)
        }
    }
}

fn list_rules(args: &RulesArgs) -> io::Result<ExitStatus> {
    let mut out = BufWriter::new(io::stdout().lock());
    for rule in rules::REGISTRY {
        match args.format {
            TableFormat::Human => writeln!(
                out,
                "{}  {:<33} {:<8} {:<8} {}",
                rule.code,
                rule.name,
                rule.default_severity,
                rule.category.as_str(),
                rule.summary
            )?,
            TableFormat::Json => {
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
