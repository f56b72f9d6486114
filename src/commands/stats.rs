//! `vft stats`: tokens per example and the training cost estimate.
//!
//! It drives the same engine as `vft check` (streaming reader, rayon pool, one parse per
//! line, tokens counted once per example) with every rule off, and collects each example's
//! tokens through the engine's observer.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use serde::Serialize;

use crate::cli::{StatsArgs, TableFormat};
use crate::diagnostic::Diagnostic;
use crate::engine::{Engine, Observed, Options};
use crate::exit::ExitStatus;
use crate::media::probe::ProbeDepth;
use crate::method::Method;
use crate::models::RFT_BILLING;
use crate::render::Emitter;
use crate::render::stats::{write_histogram, write_table};
use crate::rules::RulePlan;
use crate::summary::Summary;
use crate::tokens::{ExampleTokens, FetchedImage, Model, Tally, TokenSummary};

use super::{Run, tool_error};

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
    /// Of `unknown_images`, the image URLs not fetched.
    unfetched_images: u32,
    /// `total` with each unfetched image URL at the most it can cost.
    total_high: u32,
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

/// The totals of a run with an RFT file: no epochs, billed tokens or price, which apply
/// to token-billed methods only; `cost_note` says why.
#[derive(Serialize)]
struct TimeBilledTotalsRecord {
    r#type: &'static str,
    files: u64,
    uncounted: u64,
    model: Model,
    examples: u64,
    total: u64,
    text: u64,
    image: u64,
    assistant: u64,
    images_unknown: u64,
    images_unfetched: u64,
    min: u32,
    median: u32,
    p90: u32,
    max: u32,
    example_token_limit: u32,
    examples_over_limit: u64,
    total_high: u64,
    image_high: u64,
    max_high: u32,
    examples_over_limit_high: u64,
    cost_note: &'static str,
}

impl TimeBilledTotalsRecord {
    fn new(files: u64, uncounted: u64, s: &TokenSummary, cost_note: &'static str) -> Self {
        Self {
            r#type: "totals",
            files,
            uncounted,
            model: s.model,
            examples: s.examples,
            total: s.total,
            text: s.text,
            image: s.image,
            assistant: s.assistant,
            images_unknown: s.images_unknown,
            images_unfetched: s.images_unfetched,
            min: s.min,
            median: s.median,
            p90: s.p90,
            max: s.max,
            example_token_limit: s.example_token_limit,
            examples_over_limit: s.examples_over_limit,
            total_high: s.total_high,
            image_high: s.image_high,
            max_high: s.max_high,
            examples_over_limit_high: s.examples_over_limit_high,
            cost_note,
        }
    }
}

/// Writes the example records of one file (`--format json`). An example with an image URL
/// is counted at the image's minimum until the fetch says its size, after the file's lines:
/// from the first such example on, records are held back, corrected, and written in line
/// order when the file ends.
struct ExampleRecords<'w, W: Write> {
    /// The file being counted.
    file: Arc<str>,
    /// `None` for the table, which needs no records.
    out: Option<&'w mut W>,
    fetching: bool,
    held: Vec<(u64, TokenRecord)>,
    /// The first write error; nothing more is written after it.
    error: Option<io::Error>,
}

impl<W: Write> ExampleRecords<'_, W> {
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
            unfetched_images: t.unfetched_images,
            total_high: t.total_high(),
        };
        if self.fetching && (t.unknown_images > 0 || !self.held.is_empty()) {
            self.held.push((line, record));
        } else {
            self.write(line, &record);
        }
    }

    fn fetched_image(&mut self, line: u64, fetched: FetchedImage) {
        if let Ok(at) = self.held.binary_search_by_key(&line, |(l, _)| *l) {
            let record = &mut self.held[at].1;
            let extra = fetched.extra.unwrap_or(0);
            if fetched.extra.is_some() {
                record.unknown_images = record.unknown_images.saturating_sub(1);
            }
            record.image = record.image.saturating_add(extra);
            record.total = record.total.saturating_add(extra);
            record.unfetched_images = record.unfetched_images.saturating_sub(1);
            record.total_high = record
                .total_high
                .saturating_add(extra)
                .saturating_sub(fetched.headroom);
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
            file: &self.file,
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
    let pricing = args.tokens.pricing(args.target);
    let options = Options {
        model: pricing.model,
        plan: RulePlan::only(&[]),
        fetch: args.fetch.config(ProbeDepth::Headers),
        online: !args.fetch.offline,
        ..Options::new(args.target)
    };
    let engine = match Engine::new(options, args.jobs.unwrap_or(0)) {
        Ok(engine) => engine,
        Err(error) => {
            tool_error(&error);
            return Ok(ExitStatus::Error);
        }
    };
    let fetching = engine.options().online;
    let mut out = BufWriter::new(io::stdout().lock());
    let json = args.format == TableFormat::Json;
    let mut tally = Tally::default();
    let mut run = Run {
        engine,
        emitter: Box::new(Discard),
        summary: Summary::default(),
        // The table has no place for failures: stderr says them.
        failures_on_screen: false,
    };
    let mut records = ExampleRecords {
        file: Arc::from(""),
        out: json.then_some(&mut out),
        fetching,
        held: Vec::new(),
        error: None,
    };
    for path in &args.files {
        records.file = crate::engine::input_name(path);
        run.check_files(std::slice::from_ref(path), &mut |observed| match observed {
            Observed::Example { line, tokens } => {
                tally.observe(line, tokens);
                if let Some(tokens) = tokens {
                    records.example(line, tokens);
                }
            }
            Observed::FetchedImage { line, fetched } => {
                tally.fetched_image(line, fetched);
                records.fetched_image(line, fetched);
            }
            Observed::FileEnd => {
                tally.end_file();
                records.release();
            }
        })?;
        if let Some(error) = records.error.take() {
            return Err(error);
        }
    }
    drop(records);

    let files = run.summary.files;
    let uncounted = tally.uncounted;
    let summary = tally.summary(pricing);
    // As in `vft check`: RFT is billed by training time, so no token price applies.
    let cost_note = run
        .summary
        .methods
        .iter()
        .any(|(_, method)| *method == Method::Rft)
        .then_some(RFT_BILLING);
    if json {
        match cost_note {
            Some(note) => write_record(
                &mut out,
                &TimeBilledTotalsRecord::new(files, uncounted, &summary, note),
            )?,
            None => write_record(
                &mut out,
                &TotalsRecord {
                    r#type: "totals",
                    files,
                    uncounted,
                    tokens: &summary,
                },
            )?,
        }
    } else {
        write_table(&mut out, files, uncounted, &summary, cost_note)?;
        write_histogram(&mut out, &tally.totals, summary.example_token_limit)?;
    }
    out.flush()?;
    Ok(if run.summary.failures.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    })
}

fn write_record(out: &mut impl Write, record: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.write_all(b"\n")
}
