//! The pipeline: a reader thread streams batches of lines; a rayon pool checks each batch's
//! lines in parallel; this thread takes the results in input order, keeps the file totals
//! and hands diagnostics to the emitter. Only the batches in flight are held in memory, and
//! the output order does not depend on the thread count.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, Severity, Snippet, Summary};
use crate::example::{Example, ImageView};
use crate::fetch::{self, Fetcher};
use crate::input::{self, Batch, BatchLimits, BatchReader, RawLine, Special};
use crate::json::Json;
use crate::progress::Progress;
use crate::render::Emitter;
use crate::rules::{self, Check, FileFacts, Finding, Position, Report, Rule, RulePlan};
use crate::target::Target;
use crate::tokens::image::{self, Detail};
use crate::tokens::{ExampleTokens, Model};

/// Batches read ahead of the ones being checked.
const READ_AHEAD: usize = 2;
/// Batches checked at once: the workers start on the next while the last lines of one finish.
const IN_FLIGHT: usize = 3;

/// What a check run needs to know.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    /// The model tokens are counted for (`--model`; by default the target's vision model).
    pub model: Model,
    /// Decode every image's pixels, not only its headers.
    pub deep: bool,
    pub plan: RulePlan,
    pub limits: BatchLimits,
    /// Advanced by the bytes of each batch checked.
    pub progress: Progress,
    /// Fetches image URLs; `None` checks them offline (syntax and literal address only).
    pub fetcher: Option<Arc<Fetcher>>,
    /// Lift the address policy for image URLs (`--allow-private-urls`).
    pub allow_private_urls: bool,
}

impl Options {
    pub fn new(target: Target) -> Self {
        Self {
            target,
            model: target.vision_model(),
            deep: false,
            plan: RulePlan::all(),
            limits: BatchLimits::for_target(target),
            progress: Progress::hidden(),
            fetcher: None,
            allow_private_urls: false,
        }
    }
}

impl Options {
    /// Where `rule` reports: every rule sees the run's target and (tightened) limits.
    fn report<'r>(
        &self,
        rule: &'static Rule,
        severity: Severity,
        out: &'r mut Vec<Finding>,
    ) -> Report<'r> {
        Report::new(rule, severity, self.target, out).with_limits(self.plan.limits)
    }
}

/// Why checking a file stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Reading the input failed: vft could not do its job.
    Input(io::Error),
    /// Writing the output failed; a closed pipe (`vft check … | head`) is not an error.
    Output(io::Error),
}

type ExampleCheck = fn(&Example<'_>, &mut Report<'_>);
type ImageCheck = fn(&ImageView<'_>, &mut Report<'_>);

/// The checks compiled from [`Options`], shared by every worker.
struct Checker<'o> {
    options: &'o Options,
    example_rules: Vec<(&'static Rule, Severity, ExampleCheck)>,
    image_rules: Vec<(&'static Rule, Severity, ImageCheck)>,
}

impl<'o> Checker<'o> {
    fn new(options: &'o Options) -> Self {
        let example_rules = rules_with(options, |check| match check {
            Check::Example(check) => Some(*check),
            _ => None,
        });
        let image_rules = rules_with(options, |check| match check {
            Check::Image(check) => Some(*check),
            _ => None,
        });
        Self {
            options,
            example_rules,
            image_rules,
        }
    }

    /// Runs the image rules on one image.
    fn check_image(&self, image: &ImageView<'_>, findings: &mut Vec<Finding>) {
        for &(rule, severity, check) in &self.image_rules {
            check(image, &mut self.options.report(rule, severity, findings));
        }
    }
}

/// The enabled rules whose check `pick` accepts, with their severity.
fn rules_with<C>(
    options: &Options,
    pick: impl Fn(&Check) -> Option<C>,
) -> Vec<(&'static Rule, Severity, C)> {
    options
        .plan
        .enabled()
        .filter_map(|(rule, severity)| Some((rule, severity, pick(&rule.check)?)))
        .collect()
}

/// What one line contributed.
struct LineOutcome {
    kind: LineKind,
    diagnostics: Vec<Diagnostic>,
    /// Where the line's `\r\n` starts, if it ends so. Only the first CRLF line of a file
    /// is reported, so its diagnostic is built where the file's order is known.
    crlf: Option<usize>,
    /// Image URLs to fetch.
    urls: Vec<UrlRef>,
}

/// Where an image URL is, kept (small) until its fetch is done.
struct UrlRef {
    line: u64,
    column: Option<u64>,
    pointer: input::JsonPointer,
    url: Box<str>,
    /// The image's `detail`, for its tokens once its size is known.
    detail: Detail,
}

enum LineKind {
    Blank,
    /// A non-blank line, parsed or not, with its image counts and, when it parsed as an
    /// object, its tokens.
    Example {
        images: u64,
        tokens: Option<ExampleTokens>,
    },
}

/// Checks one input stream, emitting its diagnostics in input order.
pub fn check_stream(
    reader: impl Read + Send,
    file: &Arc<str>,
    options: &Options,
    pool: &rayon::ThreadPool,
    emitter: &mut dyn Emitter,
    summary: &mut Summary,
) -> Result<(), Stop> {
    check_stream_observed(reader, file, options, pool, emitter, summary, &mut |_| {})
}

/// The name diagnostics give an input: `<stdin>` for `-`, else the path.
pub fn input_name(path: &Path) -> Arc<str> {
    if path == Path::new("-") {
        "<stdin>".into()
    } else {
        path.to_string_lossy().into()
    }
}

/// [`check_stream_observed`] on the file at `path` (`-` reads standard input).
pub fn check_path(
    path: &Path,
    name: &Arc<str>,
    options: &Options,
    pool: &rayon::ThreadPool,
    emitter: &mut dyn Emitter,
    summary: &mut Summary,
    observe: &mut ExampleObserver<'_>,
) -> Result<(), Stop> {
    if path == Path::new("-") {
        return check_stream_observed(io::stdin(), name, options, pool, emitter, summary, observe);
    }
    let file = File::open(path).map_err(Stop::Input)?;
    check_stream_observed(file, name, options, pool, emitter, summary, observe)
}

/// What the engine tells an [`ExampleObserver`], per file in this order: every non-blank
/// line, then the images fetched from URLs, then the end of the file.
#[derive(Debug, Clone, Copy)]
pub enum Observed<'t> {
    /// A non-blank line (1-based) and its tokens (`None` when it is no example).
    Example {
        line: u64,
        tokens: Option<&'t ExampleTokens>,
    },
    /// An image URL of that line was fetched and its size is known: its tokens exceed the
    /// minimum the example was counted with by `extra`.
    FetchedImage { line: u64, extra: u32 },
    /// The file is done.
    FileEnd,
}

/// Sees the examples of each file as they are checked (`vft stats`, and the token figures
/// of `vft check`'s summary).
pub type ExampleObserver<'o> = dyn FnMut(Observed<'_>) + 'o;

/// [`check_stream`], also handing each non-blank line's tokens to `observe` (`vft stats`,
/// and the token figures of `vft check`'s summary).
pub fn check_stream_observed(
    reader: impl Read + Send,
    file: &Arc<str>,
    options: &Options,
    pool: &rayon::ThreadPool,
    emitter: &mut dyn Emitter,
    summary: &mut Summary,
    observe: &mut ExampleObserver<'_>,
) -> Result<(), Stop> {
    let checker = Checker::new(options);
    let mut state = FileState {
        file,
        options,
        facts: FileFacts {
            target: options.target,
            ..FileFacts::default()
        },
        seen_crlf: false,
        urls: Vec::new(),
    };

    thread::scope(|scope| {
        let (sender, batches) = mpsc::sync_channel::<io::Result<Batch>>(READ_AHEAD);
        // Checked batches' buffers go back to the reader to be filled again.
        let (recycle, spare_buffers) = mpsc::channel::<Vec<u8>>();
        let limits = options.limits;
        scope.spawn(move || {
            let mut reader = BatchReader::new(reader, limits);
            let spare = || spare_buffers.try_recv().unwrap_or_default();
            while let Some(next) = reader.next_batch_in(spare()).transpose() {
                let failed = next.is_err();
                // A send fails only when the receiver stopped early; nothing more to do then.
                if sender.send(next).is_err() || failed {
                    break;
                }
            }
        });

        // Batches are checked as pool tasks, several at a time, so the workers never wait
        // for this thread to emit a batch or for the slowest line of one; results are put
        // back in input order here.
        let (done, results) = mpsc::channel::<(usize, Batch, thread::Result<Vec<LineOutcome>>)>();
        pool.in_place_scope(|tasks| {
            let mut finished = BTreeMap::new();
            let (mut spawned, mut taken) = (0, 0);
            let mut wait_for_one = |taken: &mut usize| -> Result<(), Stop> {
                // Every task sends its result (a panic included), and `done` is still held
                // here, so this returns.
                let Ok((index, batch, outcomes)) = results.recv() else {
                    return Ok(());
                };
                let outcomes = outcomes.unwrap_or_else(|panic| panic::resume_unwind(panic));
                finished.insert(index, (batch, outcomes));
                while let Some((batch, outcomes)) = finished.remove(taken) {
                    *taken += 1;
                    record_batch(&batch, outcomes, &mut state, emitter, summary, observe)?;
                    // The reader may have finished already; the buffer is then dropped.
                    let _ = recycle.send(batch.into_buffer());
                }
                Ok(())
            };
            for batch in batches {
                let batch = batch.map_err(Stop::Input)?;
                let (index, done, checker) = (spawned, done.clone(), &checker);
                spawned += 1;
                tasks.spawn(move |_| {
                    let outcomes = panic::catch_unwind(AssertUnwindSafe(|| {
                        let lines: Vec<RawLine<'_>> = batch.lines().collect();
                        lines
                            .par_iter()
                            .map(|line| check_line(line, checker, file))
                            .collect()
                    }));
                    // The receiver outlives every task of this scope.
                    let _ = done.send((index, batch, outcomes));
                });
                while spawned - taken >= IN_FLIGHT {
                    wait_for_one(&mut taken)?;
                }
            }
            while taken < spawned {
                wait_for_one(&mut taken)?;
            }
            Ok(())
        })
    })?;
    let FileState {
        mut facts, urls, ..
    } = state;

    if let Some(fetcher) = &options.fetcher {
        for url in urls {
            let outcome = fetcher.wait(&url.url);
            if let Some(extra) = fetched_image_extra_tokens(&url, &outcome, options.model) {
                observe(Observed::FetchedImage {
                    line: url.line,
                    extra,
                });
            }
            for diagnostic in fetched_diagnostics(&url, &outcome, &checker, file) {
                note_skipped_image(&diagnostic, &mut facts);
                emit(emitter, summary, &diagnostic)?;
            }
        }
        fetcher.pause_progress();
        // URL findings came after the lines' own: restore line order, one entry per line.
        facts.skipped_image_lines.sort_unstable();
        facts.skipped_image_lines.dedup();
    }
    observe(Observed::FileEnd);

    let mut findings = Vec::new();
    for (rule, severity) in options.plan.enabled() {
        if let Check::File(check) = rule.check {
            check(&facts, &mut options.report(rule, severity, &mut findings));
        }
    }
    for finding in findings {
        let location = Location {
            file: file.clone(),
            line: None,
            column: None,
            pointer: None,
        };
        emit(emitter, summary, &into_diagnostic(finding, location, None))?;
    }

    summary.files += 1;
    summary.examples += facts.examples;
    summary.examples_with_images += facts.examples_with_images;
    summary.images += facts.images;
    Ok(())
}

/// What the emitting thread keeps about the file being checked.
struct FileState<'f> {
    file: &'f Arc<str>,
    options: &'f Options,
    facts: FileFacts,
    /// Only the first CRLF line of a file is reported.
    seen_crlf: bool,
    /// Image URLs submitted to the fetcher, checked when the file's lines are done.
    urls: Vec<UrlRef>,
}

/// Takes a checked batch's outcomes, in input order: totals, then diagnostics.
fn record_batch(
    batch: &Batch,
    outcomes: Vec<LineOutcome>,
    state: &mut FileState<'_>,
    emitter: &mut dyn Emitter,
    summary: &mut Summary,
    observe: &mut ExampleObserver<'_>,
) -> Result<(), Stop> {
    let (options, facts) = (state.options, &mut state.facts);
    facts.bytes += batch.byte_len() as u64;
    options.progress.advance(batch.byte_len() as u64);
    if batch.starts_with_bom {
        facts.has_bom = true;
        if options.target == Target::OpenAi
            && let Some(finding) = rules::input::unexpected_byte_order_mark::finding(&options.plan)
        {
            let location = Location {
                file: state.file.clone(),
                line: Some(1),
                column: Some(1),
                pointer: None,
            };
            emit(emitter, summary, &into_diagnostic(finding, location, None))?;
        }
    }
    for (outcome, line) in outcomes.into_iter().zip(batch.lines()) {
        if let LineKind::Example { images, tokens } = outcome.kind {
            observe(Observed::Example {
                line: line.number,
                tokens: tokens.as_ref(),
            });
            facts.examples += 1;
            facts.images += images;
            facts.examples_with_images += u64::from(images > 0);
        }
        if let Some(at) = outcome.crlf.filter(|_| !state.seen_crlf) {
            state.seen_crlf = true;
            if let Some(finding) = rules::input::crlf_line_ending::finding(&options.plan, at) {
                let text = String::from_utf8_lossy(&line.bytes[..at]);
                emit(emitter, summary, &locate(finding, &text, &line, state.file))?;
            }
        }
        for diagnostic in &outcome.diagnostics {
            note_skipped_image(diagnostic, facts);
            emit(emitter, summary, diagnostic)?;
        }
        match &options.fetcher {
            Some(fetcher) => {
                for url in &outcome.urls {
                    fetcher.submit(&url.url);
                }
                state.urls.extend(outcome.urls);
            }
            None => facts.url_images += outcome.urls.len() as u64,
        }
    }
    Ok(())
}

/// How many more tokens a fetched image costs than the minimum its example was counted
/// with while its size was unknown (`None` when it is still unknown).
fn fetched_image_extra_tokens(url: &UrlRef, outcome: &fetch::Outcome, model: Model) -> Option<u32> {
    let fetch::Outcome::Body(body) = outcome else {
        return None;
    };
    let header = &body.probe.as_ref()?.header;
    if header.width == 0 || header.height == 0 || !image::needs_dimensions(url.detail, model) {
        return None;
    }
    let tokens = image::image_tokens(header.width, header.height, url.detail, model);
    Some(tokens.saturating_sub(image::unknown_image_tokens(model)))
}

/// Records the line of a diagnostic that means the platform skips an image.
fn note_skipped_image(diagnostic: &Diagnostic, facts: &mut FileFacts) {
    if let Some(line) = diagnostic.location.line
        && rules::file::too_many_skipped_image_examples::skips_image(diagnostic.rule)
        && facts.skipped_image_lines.last() != Some(&line)
    {
        facts.skipped_image_lines.push(line);
    }
}

/// The diagnostics of one fetched image URL: why it gave no image, or what the image
/// rules find in its body (each message naming the URL).
fn fetched_diagnostics(
    url: &UrlRef,
    outcome: &fetch::Outcome,
    checker: &Checker<'_>,
    file: &Arc<str>,
) -> Vec<Diagnostic> {
    let plan = &checker.options.plan;
    let mut findings = Vec::new();
    match outcome {
        fetch::Outcome::Failed(failure) => {
            findings.extend(rules::media::url_finding(
                plan,
                url.pointer.clone(),
                &url.url,
                failure,
            ));
        }
        fetch::Outcome::Body(body) => {
            let image = ImageView {
                pointer: url.pointer.clone(),
                origin: crate::example::Origin::Remote {
                    url: &url.url,
                    content_type: body.content_type.as_deref(),
                },
                len: body.len,
                at_least: body.at_least,
                probe: body.probe.as_ref(),
            };
            checker.check_image(&image, &mut findings);
            let shown = rules::media::inaccessible_image_url::short_url(&url.url);
            for finding in &mut findings {
                finding.message = format!("image URL `{shown}`: {}", finding.message);
            }
        }
    }
    findings
        .into_iter()
        .map(|finding| {
            let location = Location {
                file: file.clone(),
                line: Some(url.line),
                column: url.column,
                pointer: Some(url.pointer.clone()),
            };
            into_diagnostic(finding, location, None)
        })
        .collect()
}

fn emit(
    emitter: &mut dyn Emitter,
    summary: &mut Summary,
    diagnostic: &Diagnostic,
) -> Result<(), Stop> {
    summary.count(diagnostic);
    emitter.emit(diagnostic).map_err(Stop::Output)
}

fn into_diagnostic(finding: Finding, location: Location, snippet: Option<Snippet>) -> Diagnostic {
    Diagnostic {
        rule: finding.rule,
        severity: finding.severity,
        message: finding.message,
        help: finding.help,
        location,
        snippet,
    }
}

/// Checks one line: read, parse, run the example rules, locate the findings.
fn check_line(line: &RawLine<'_>, checker: &Checker<'_>, file: &Arc<str>) -> LineOutcome {
    let plan = &checker.options.plan;
    let mut bytes = line.bytes;
    let crlf_at = bytes.ends_with(b"\r").then(|| bytes.len() - 1);
    if let Some(at) = crlf_at {
        bytes = &bytes[..at];
    }
    let locate_all = |findings: Vec<Finding>, text: &str| -> Vec<Diagnostic> {
        let mut diagnostics: Vec<Diagnostic> = findings
            .into_iter()
            .map(|f| locate(f, text, line, file))
            .collect();
        diagnostics.sort_by_key(|d| (d.location.column, d.rule.code));
        diagnostics
    };
    let mut outcome = LineOutcome {
        kind: LineKind::Blank,
        diagnostics: Vec::new(),
        crlf: crlf_at,
        urls: Vec::new(),
    };
    if bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) && line.special.is_none()
        || matches!(line.special, Some(Special::BlankRun { .. }))
    {
        let lines = match line.special {
            Some(Special::BlankRun { lines }) => lines,
            _ => 1,
        };
        outcome.diagnostics = locate_all(
            rules::input::blank_line::finding(plan, lines)
                .into_iter()
                .collect(),
            "",
        );
        return outcome;
    }
    outcome.kind = LineKind::Example {
        images: 0,
        tokens: None,
    };
    if let Some(Special::TooLong { len }) = line.special {
        let limit = checker.options.limits.max_line_bytes;
        let finding = rules::input::line_too_long::finding(plan, len, limit);
        outcome.diagnostics = locate_all(finding.into_iter().collect(), "");
        return outcome;
    }

    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            let finding =
                rules::input::invalid_utf8::finding(plan, at, line.offset + at as u64, bytes[at]);
            outcome.diagnostics = finding
                .map(|f| locate_invalid_utf8(f, bytes, at, line, file))
                .into_iter()
                .collect();
            return outcome;
        }
    };

    let json = match Json::parse(text) {
        Ok(json) => json,
        Err(error) => {
            let finding =
                rules::input::invalid_json::finding(plan, &error, text, line.unterminated);
            outcome.diagnostics = locate_all(finding.into_iter().collect(), text);
            return outcome;
        }
    };
    let Some(root) = json.as_object() else {
        let finding = rules::input::example_not_object::finding(plan, &json);
        outcome.diagnostics = locate_all(finding.into_iter().collect(), text);
        return outcome;
    };

    let example = Example::new(root, checker.options.deep).with_model(checker.options.model);
    let mut findings = Vec::new();
    for &(rule, severity, check) in &checker.example_rules {
        check(
            &example,
            &mut checker.options.report(rule, severity, &mut findings),
        );
    }
    for image in example.probed_images() {
        checker.check_image(&image, &mut findings);
    }
    for (pointer, url, detail) in example.remote_images() {
        // Syntax and literal addresses are checked here, offline too; host names when
        // they resolve, during the fetch.
        match fetch::guard::parse(url, checker.options.allow_private_urls) {
            Ok(_) => outcome.urls.push(UrlRef {
                line: line.number,
                column: input::pointer::resolve(text, &pointer, input::SpanTarget::Value)
                    .map(|span| column_at(text, span.start)),
                pointer,
                url: url.into(),
                detail: Detail::of(detail),
            }),
            Err(problem) => findings.extend(rules::media::url_finding(
                plan,
                pointer,
                url,
                &fetch::Failure::from(problem),
            )),
        }
    }
    outcome.kind = LineKind::Example {
        images: example.images.len() as u64,
        tokens: Some(*example.tokens()),
    };
    outcome.diagnostics = locate_all(findings, text);
    outcome
}

/// Turns a finding's position into a line, column, pointer and snippet.
fn locate(finding: Finding, text: &str, line: &RawLine<'_>, file: &Arc<str>) -> Diagnostic {
    let (pointer, span) = match &finding.position {
        Position::Pointer(pointer, target) => (
            Some(pointer.clone()),
            input::pointer::resolve(text, pointer, *target),
        ),
        Position::Byte(at) => (None, Some(point_span(text, *at))),
        Position::Line => (None, Some(0..text.len())),
        Position::File => (None, None),
    };
    let column = span.as_ref().map(|s| column_at(text, s.start));
    let snippet = span.map(|span| Snippet::around(text, span));
    let location = Location {
        file: file.clone(),
        line: Some(line.number),
        column,
        pointer,
    };
    into_diagnostic(finding, location, snippet)
}

/// Invalid UTF-8 has no text to resolve against: the column counts the valid prefix, and
/// the snippet shows the bytes around the error with replacement characters.
fn locate_invalid_utf8(
    finding: Finding,
    bytes: &[u8],
    at: usize,
    line: &RawLine<'_>,
    file: &Arc<str>,
) -> Diagnostic {
    let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let column = column_at(valid, valid.len());
    let window_start = crate::diagnostic::floor_char_boundary(valid, at.saturating_sub(60));
    let before = &valid[window_start..];
    let after = String::from_utf8_lossy(&bytes[at..bytes.len().min(at + 40)]);
    let text = format!("{before}{after}");
    let bad = after.chars().next().map_or(0, char::len_utf8);
    let snippet = Snippet::around(&text, before.len()..before.len() + bad);
    let location = Location {
        file: file.clone(),
        line: Some(line.number),
        column: Some(column),
        pointer: None,
    };
    into_diagnostic(finding, location, Some(snippet))
}

/// The 1-based column, in characters, of byte `at` of `text`.
fn column_at(text: &str, at: usize) -> u64 {
    text[..at].chars().count() as u64 + 1
}

/// A one-character span at byte `at` (empty at the end of the line).
fn point_span(text: &str, at: usize) -> Range<usize> {
    let at = crate::diagnostic::floor_char_boundary(text, at);
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    at..at + len
}
