//! `vft check`: the configuration, the output format, then the files through the engine.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::CheckArgs;
use crate::config::{Faces, FailOn, Settings};
use crate::engine::{Engine, Observed, Options};
use crate::exit::ExitStatus;
use crate::method::Method;
use crate::models::RFT_BILLING;
use crate::progress::{AroundProgress, Progress};
use crate::render::cap::{Capped, Caps};
use crate::render::{self, Emitter, OutputFormat, Sink};
use crate::rules::REGISTRY;
use crate::summary::Summary;
use crate::tokens::Tally;

use super::{Run, config_error, discovery_start, tool_error};

pub fn run(args: &CheckArgs) -> io::Result<ExitStatus> {
    let start = discovery_start(args.files.first().map(PathBuf::as_path));
    let settings = match Settings::load(&start, &args.config.overrides()) {
        Ok(settings) => settings,
        Err(error) => {
            config_error(&error, args.color);
            return Ok(ExitStatus::Error);
        }
    };
    let progress = Progress::for_bytes(
        args.files
            .iter()
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|metadata| metadata.len())
            .sum(),
    );
    let emitter = emitter(args, &settings, &progress);

    let target = settings.target.value;
    // An explicit `--model` the fixed method cannot train is an error before anything else
    // (with `auto`, the method is known per file only: `model-cannot-train-method`).
    if let (Some(model), Some(method)) = (args.tokens.model, settings.method.value.fixed())
        && let Some(why) = crate::models::unsupported(model, method, target)
    {
        tool_error(&why);
        return Ok(ExitStatus::Error);
    }
    let pricing = args.tokens.pricing(target);
    let options = Options {
        model: pricing.model,
        model_given: args.tokens.model.is_some(),
        depth: args.depth(),
        plan: settings.plan.clone(),
        limits: settings.limits.value,
        fetch: args.fetch.config(args.depth()),
        online: !args.fetch.offline,
        method: settings.method.value,
        faces: settings.faces.value == Faces::On,
        info_per_line: settings.info_per_line.value,
        ..Options::new(target)
    };
    let engine = match Engine::new(options, args.jobs.unwrap_or(0)) {
        Ok(engine) => engine.with_progress(progress.clone()),
        Err(error) => {
            tool_error(&error);
            return Ok(ExitStatus::Error);
        }
    };
    // The text formats close with the failures; on a terminal shared with stderr, once.
    let failures_on_screen = matches!(
        args.format,
        OutputFormat::Human | OutputFormat::Concise | OutputFormat::Github
    ) && !args.statistics
        && io::stdout().is_terminal()
        && io::stderr().is_terminal();
    let mut run = Run {
        engine,
        emitter,
        summary: Summary::default(),
        failures_on_screen,
    };
    let mut tally = Tally::default();
    run.check_files(&args.files, &mut |observed| match observed {
        Observed::Example { line, tokens } => tally.observe(line, tokens),
        Observed::FetchedImage { line, fetched } => tally.fetched_image(line, fetched),
        Observed::FileEnd => tally.end_file(),
    })?;
    progress.finish();
    let Run {
        mut emitter,
        mut summary,
        ..
    } = run;
    if summary
        .methods
        .iter()
        .any(|(_, method)| *method == Method::Rft)
    {
        summary.cost_note = Some(RFT_BILLING);
    } else {
        summary.tokens = (tally.examples() > 0).then(|| tally.summary(pricing));
        if let Some(tokens) = &summary.tokens {
            summary.forecast.price(tokens);
        }
    }
    emitter.finish(&summary)?;

    let failing =
        summary.errors > 0 || (settings.fail_on.value == FailOn::Warning && summary.warnings > 0);
    Ok(if !summary.failures.is_empty() {
        ExitStatus::Error
    } else if failing && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The emitter for the chosen format, capped as configured, writing to stdout around the
/// progress bar.
fn emitter(args: &CheckArgs, settings: &Settings, progress: &Progress) -> Box<dyn Emitter> {
    let stdout = io::stdout().lock();
    let out: Box<dyn Write> = if io::stdout().is_terminal() {
        Box::new(BufWriter::new(AroundProgress::new(
            stdout,
            progress.clone(),
        )))
    } else {
        Box::new(BufWriter::new(stdout))
    };
    if args.statistics {
        return Box::new(render::statistics::StatisticsEmitter::new(
            out,
            args.format == OutputFormat::Json,
        ));
    }
    let color = args.color.enabled(
        std::env::var_os("NO_COLOR").as_deref(),
        io::stdout().is_terminal(),
    );
    let cwd = std::env::current_dir().ok();
    let base = match args.format {
        OutputFormat::Github => std::env::var_os("GITHUB_WORKSPACE")
            .filter(|w| !w.is_empty())
            .map(PathBuf::from)
            .or(cwd),
        _ => cwd,
    };
    let caps = Caps {
        per_rule: settings.per_rule_cap(args.format.is_complete_by_default()),
        total: settings.total_cap(),
        // A SARIF log is a complete record for code scanning: never emptied.
        quiet: args.quiet && args.format != OutputFormat::Sarif,
    };
    let sink = Sink {
        out,
        color,
        base,
        rules: REGISTRY.iter().map(|rule| &rule.meta).collect(),
    };
    Box::new(Capped::new(render::emitter(args.format, sink), caps))
}
