//! `vft stats`: tokens per example and the training cost estimate.
//!
//! It drives the same engine as `vft check` (streaming reader, rayon pool, one parse per
//! line, tokens counted once per example) with every rule off, and collects each example's
//! tokens through the engine's observer.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use crate::cli::StatsArgs;
use crate::diagnostic::{Diagnostic, Summary};
use crate::engine::{self, Observed, Options, Stop};
use crate::exit::ExitStatus;
use crate::render::{Emitter, OutputFormat};
use crate::rules::RulePlan;
use crate::tokens::{Tally, TokenSummary, group_digits};

/// Bins of the length histogram.
const HISTOGRAM_BINS: u32 = 10;
/// Characters of the longest histogram bar.
const HISTOGRAM_WIDTH: u64 = 40;

/// Drops diagnostics: `vft stats` runs no rules, but the engine wants an emitter.
struct Discard;

impl Emitter for Discard {
    fn emit(&mut self, _: &Diagnostic) -> io::Result<()> {
        Ok(())
    }
    fn finish(&mut self, _: &Summary) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Serialize)]
struct ExampleRecord<'a> {
    r#type: &'static str,
    file: &'a str,
    line: u64,
    tokens: TokenRecord,
}

#[derive(Serialize)]
struct TokenRecord {
    text: u32,
    image: u32,
    total: u32,
    assistant: u32,
    unknown_images: u32,
}

#[derive(Serialize)]
struct TotalsRecord<'a> {
    r#type: &'static str,
    files: u64,
    /// Non-blank lines that are no example vft could count (invalid JSON, not an object).
    uncounted: u64,
    #[serde(flatten)]
    tokens: &'a TokenSummary,
}

/// Runs `vft stats`.
pub fn run(args: &StatsArgs) -> io::Result<ExitStatus> {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
    {
        Ok(pool) => pool,
        Err(error) => {
            crate::tool_error(&format!("cannot start worker threads: {error}"));
            return Ok(ExitStatus::Error);
        }
    };
    let pricing = args.tokens.pricing(args.target);
    let options = Options {
        model: pricing.model,
        plan: RulePlan::only(&[]),
        ..Options::new(args.target)
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let json = args.format == OutputFormat::Json;
    let mut tally = Tally::default();
    let mut files = 0;
    let mut tool_failed = false;

    for path in &args.files {
        let name = engine::input_name(path);
        let mut write_error = None;
        let mut observe = |observed: Observed<'_>| {
            let (line, tokens) = match observed {
                Observed::Example { line, tokens } => (line, tokens),
                Observed::FetchedImage { line, extra } => {
                    return tally.fetched_image(line, extra);
                }
                Observed::FileEnd => return tally.end_file(),
            };
            tally.observe(line, tokens);
            if let (true, Some(t), None) = (json, tokens, &write_error) {
                let record = ExampleRecord {
                    r#type: "example",
                    file: &name,
                    line,
                    tokens: TokenRecord {
                        text: t.text,
                        image: t.image,
                        total: t.total(),
                        assistant: t.assistant,
                        unknown_images: t.unknown_images,
                    },
                };
                if let Err(error) = write_record(&mut out, &record) {
                    write_error = Some(error);
                }
            }
        };
        let mut summary = Summary::default();
        let result = engine::check_path(
            path,
            &name,
            &options,
            &pool,
            &mut Discard,
            &mut summary,
            &mut observe,
        );
        if let Some(error) = write_error {
            return Err(error);
        }
        match result {
            Ok(()) => files += 1,
            Err(Stop::Input(error)) => {
                crate::tool_error(&format!("cannot read `{name}`: {error}"));
                tool_failed = true;
            }
            Err(Stop::Output(error)) => return Err(error),
        }
    }

    let uncounted = tally.uncounted;
    let summary = tally.summary(pricing);
    if json {
        write_record(
            &mut out,
            &TotalsRecord {
                r#type: "totals",
                files,
                uncounted,
                tokens: &summary,
            },
        )?;
    } else {
        write_table(&mut out, files, uncounted, &summary)?;
        write_histogram(&mut out, &tally.totals, summary.example_token_limit)?;
    }
    out.flush()?;
    Ok(if tool_failed {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

fn write_record(out: &mut impl Write, record: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.write_all(b"\n")
}

fn write_table(
    out: &mut impl Write,
    files: u64,
    uncounted: u64,
    s: &TokenSummary,
) -> io::Result<()> {
    let g = group_digits;
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.to_owned()
        }
    };
    writeln!(
        out,
        "{} {}, {} {} counted for {}",
        files,
        plural(files, "file", "files"),
        g(s.examples),
        plural(s.examples, "example", "examples"),
        s.model.name()
    )?;
    if uncounted > 0 {
        writeln!(
            out,
            "{} {} could not be counted (not a JSON object); `vft check` says why",
            g(uncounted),
            plural(uncounted, "line", "lines")
        )?;
    }
    writeln!(out)?;
    let rows: [(&str, String); 9] = [
        (
            "tokens per example",
            format!(
                "min {}  median {}  p90 {}  max {}",
                g(s.min.into()),
                g(s.median.into()),
                g(s.p90.into()),
                g(s.max.into())
            ),
        ),
        (
            "total tokens",
            format!(
                "{}  (text {}, images {})",
                g(s.total),
                g(s.text),
                g(s.image)
            ),
        ),
        ("assistant tokens", g(s.assistant)),
        (
            "images of unknown size",
            if s.images_unknown == 0 {
                "none".to_owned()
            } else {
                format!(
                    "{} (URLs are not fetched; each counted at its minimum)",
                    g(s.images_unknown)
                )
            },
        ),
        (
            "over the limit",
            format!(
                "{} {} over {} tokens (truncated; billed up to the limit)",
                g(s.examples_over_limit),
                plural(s.examples_over_limit, "example", "examples"),
                g(s.example_token_limit.into())
            ),
        ),
        (
            "epochs",
            if s.default_epochs {
                format!(
                    "{} (the cookbook's default for {} examples)",
                    s.epochs,
                    g(s.examples)
                )
            } else {
                format!("{} (--epochs)", s.epochs)
            },
        ),
        ("billed per epoch", g(s.billed_per_epoch)),
        (
            "billed tokens",
            format!("{} × {} = {}", g(s.billed_per_epoch), s.epochs, g(s.billed)),
        ),
        (
            "estimated cost",
            format!(
                "${:.2} at ${:.2} per 1M tokens ({})",
                s.cost, s.price_per_million, s.price_source
            ),
        ),
    ];
    for (label, value) in rows {
        writeln!(out, "  {label:<24}{value}")?;
    }
    Ok(())
}

/// Equal-width bins from 0 to the longest example, bars scaled to the fullest bin.
fn write_histogram(out: &mut impl Write, sorted: &[u32], limit: u32) -> io::Result<()> {
    let Some(&max) = sorted.last() else {
        return Ok(());
    };
    let width = (max / HISTOGRAM_BINS).saturating_add(1);
    let mut counts = [0_u64; HISTOGRAM_BINS as usize];
    for &total in sorted {
        counts[(total / width).min(HISTOGRAM_BINS - 1) as usize] += 1;
    }
    let fullest = counts.iter().copied().max().unwrap_or(1).max(1);
    let label_width = group_digits(u64::from(width) * u64::from(HISTOGRAM_BINS)).len();
    writeln!(out, "\n  example length (tokens)")?;
    for (bin, &count) in (0_u32..).zip(&counts) {
        let low = u64::from(bin) * u64::from(width);
        let high = low + u64::from(width) - 1;
        let bar = (count * HISTOGRAM_WIDTH).div_ceil(fullest);
        let limit = u64::from(limit);
        let mark = if low > limit {
            "  over the limit"
        } else if high > limit {
            "  partly over the limit"
        } else {
            ""
        };
        writeln!(
            out,
            "  {:>label_width$} – {:>label_width$}  {:<bar_width$}  {}{mark}",
            group_digits(low),
            group_digits(high),
            "█".repeat(usize::try_from(bar).unwrap_or(0)),
            group_digits(count),
            bar_width = usize::try_from(HISTOGRAM_WIDTH).unwrap_or(40),
        )?;
    }
    Ok(())
}
