//! `vft stats`: tokens per example and the training cost estimate.
//!
//! It drives the same engine as `vft check` (streaming reader, rayon pool, one parse per
//! line, tokens counted once per example) with every rule off, and collects each example's
//! tokens through the engine's observer.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use crate::cli::StatsArgs;
use crate::cli::TableFormat;
use crate::diagnostic::{Diagnostic, Summary};
use crate::engine::{self, Observed, Options, Stop};
use crate::exit::ExitStatus;
use crate::numbers::thousands;
use crate::render::Emitter;
use crate::rules::RulePlan;
use crate::tokens::{ExampleTokens, Tally, TokenSummary};

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

#[derive(Debug, Clone, Copy, Serialize)]
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

/// Writes the example records of one file (`--format json`). An example with an image URL
/// is counted at the image's minimum until the fetch says its size, after the file's lines:
/// from the first such example on, records are held back, corrected, and written in line
/// order when the file ends.
struct ExampleRecords<'f, 'w, W: Write> {
    file: &'f str,
    /// `None` for the table, which needs no records.
    out: Option<&'w mut W>,
    fetching: bool,
    held: Vec<(u64, TokenRecord)>,
    /// The first write error; nothing more is written after it.
    error: Option<io::Error>,
}

impl<W: Write> ExampleRecords<'_, '_, W> {
    fn example(&mut self, line: u64, t: &ExampleTokens) {
        if self.out.is_none() {
            return;
        }
        let record = TokenRecord {
            text: t.text,
            image: t.image,
            total: t.total(),
            assistant: t.assistant,
            unknown_images: t.unknown_images,
        };
        if self.fetching && (t.unknown_images > 0 || !self.held.is_empty()) {
            self.held.push((line, record));
        } else {
            self.write(line, &record);
        }
    }

    fn fetched_image(&mut self, line: u64, extra: u32) {
        if let Ok(at) = self.held.binary_search_by_key(&line, |(l, _)| *l) {
            let record = &mut self.held[at].1;
            record.image = record.image.saturating_add(extra);
            record.total = record.total.saturating_add(extra);
            record.unknown_images = record.unknown_images.saturating_sub(1);
        }
    }

    /// Writes the held records: the file is done.
    fn release(&mut self) {
        for (line, record) in std::mem::take(&mut self.held) {
            self.write(line, &record);
        }
    }

    fn write(&mut self, line: u64, tokens: &TokenRecord) {
        let (Some(out), None) = (self.out.as_deref_mut(), &self.error) else {
            return;
        };
        let record = ExampleRecord {
            r#type: "example",
            file: self.file,
            line,
            tokens: *tokens,
        };
        if let Err(error) = write_record(out, &record) {
            self.error = Some(error);
        }
    }
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
    let fetcher = args.fetch.fetcher(false);
    let fetching = fetcher.is_some();
    let options = Options {
        model: pricing.model,
        plan: RulePlan::only(&[]),
        fetcher,
        allow_private_urls: args.fetch.allow_private_urls,
        ..Options::new(args.target)
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let json = args.format == TableFormat::Json;
    let mut tally = Tally::default();
    let mut files = 0;
    let mut tool_failed = false;

    for path in &args.files {
        let name = engine::input_name(path);
        let mut records = ExampleRecords {
            file: &name,
            out: json.then_some(&mut out),
            fetching,
            held: Vec::new(),
            error: None,
        };
        let mut observe = |observed: Observed<'_>| match observed {
            Observed::Example { line, tokens } => {
                tally.observe(line, tokens);
                if let Some(tokens) = tokens {
                    records.example(line, tokens);
                }
            }
            Observed::FetchedImage { line, extra } => {
                tally.fetched_image(line, extra);
                records.fetched_image(line, extra);
            }
            Observed::FileEnd => {
                tally.end_file();
                records.release();
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
        if let Some(error) = records.error {
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
    let g = thousands;
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
    let label_width = thousands(u64::from(width) * u64::from(HISTOGRAM_BINS)).len();
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
            thousands(low),
            thousands(high),
            "█".repeat(usize::try_from(bar).unwrap_or(0)),
            thousands(count),
            bar_width = usize::try_from(HISTOGRAM_WIDTH).unwrap_or(40),
        )?;
    }
    Ok(())
}
