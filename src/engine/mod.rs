//! The pipeline: a reader thread streams batches of lines; a rayon pool checks each batch's
//! lines in parallel; the calling thread takes the results in input order, keeps the file
//! totals and hands diagnostics to the emitter. Only the batches in flight are held in
//! memory, and the output order does not depend on the thread count.
//!
//! The engine names no rule: it turns what it reads into subjects
//! ([`crate::rules::subject`]) and runs whichever rules of the plan subscribe to each
//! ([`rules::RuleTables`]).
//!
//! - [`line`]: one line, from bytes to findings (on the pool);
//! - [`group`]: info findings grouped per file and rule;
//! - [`locate`]: findings to diagnostics, against the raw line;
//! - [`rules`]: the plan compiled into the checks of each kind.

mod group;
mod inline;
mod line;
mod locate;
mod options;
mod repair;
mod rules;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location};
use crate::fetch::{self, Fetcher};
use crate::fix::{FixPolicy, FixTally};
use crate::forecast::{FileSkips, FileTotals};
use crate::input::{Batch, BatchReader, RawLine};
use crate::method::Method;
use crate::progress::Progress;
use crate::render::Emitter;
use crate::rules::{FileFacts, ImageOrigin, ImageView, LineEvent, UrlEvent};
use crate::summary::Summary;
use crate::tokens::image;
use crate::tokens::{ExampleTokens, FetchedImage, Model};

use self::group::InfoGroups;
use self::line::{LineKind, LineOutcome, UrlRef};
pub use self::options::Options;
pub use self::repair::FixSinks;
use self::rules::RuleTables;

/// Batches read ahead of the ones being checked.
const READ_AHEAD: usize = 2;
/// Batches checked at once: the workers start on the next while the last lines of one finish.
const IN_FLIGHT: usize = 3;
/// Lines per batch at most with `vft fix --inline-urls`.
const INLINE_BATCH_LINES: usize = 16;

/// Why checking a file stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Reading the input failed: vft could not do its job.
    Input(io::Error),
    /// Writing the output failed; a closed pipe (`vft check … | head`) is not an error.
    Output(io::Error),
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
    /// An image URL of that line, counted at its least, was fetched: its size is known, or
    /// the fetch failed for good (the platform skips the image).
    FetchedImage { line: u64, fetched: FetchedImage },
    /// The file is done.
    FileEnd,
}

/// Sees the examples of each file as they are checked (`vft stats`, and the token figures
/// of `vft check`'s summary).
pub type ExampleObserver<'o> = dyn FnMut(Observed<'_>) + 'o;

/// Where a checked file's results go: diagnostics to the emitter, counts to the summary,
/// examples to the observer.
pub struct Output<'o> {
    pub emitter: &'o mut dyn Emitter,
    pub summary: &'o mut Summary,
    pub observe: &'o mut ExampleObserver<'o>,
}

impl Output<'_> {
    fn emit(&mut self, diagnostic: &Diagnostic) -> Result<(), Stop> {
        self.summary.count(diagnostic);
        self.emitter.emit(diagnostic).map_err(Stop::Output)
    }

    /// Emits `diagnostic`, or keeps it in `info` for the end of the file.
    fn emit_or_group(
        &mut self,
        info: &mut InfoGroups,
        diagnostic: &Diagnostic,
    ) -> Result<(), Stop> {
        if info.absorb(diagnostic) {
            return Ok(());
        }
        self.emit(diagnostic)
    }
}

/// The name diagnostics give an input: `<stdin>` for `-`, else the path.
pub fn input_name(path: &Path) -> Arc<str> {
    if path == Path::new("-") {
        "<stdin>".into()
    } else {
        path.to_string_lossy().into()
    }
}

/// Checks files: the options, the worker pool, the fetcher and the rules compiled from the
/// plan, shared by every file of a run.
pub struct Engine {
    options: Options,
    pool: Arc<rayon::ThreadPool>,
    fetcher: Option<Arc<Fetcher>>,
    progress: Progress,
    rules: RuleTables,
    /// "No network" is said once per run.
    network_reported: AtomicBool,
}

impl Engine {
    /// What made the fetcher decide that this machine cannot reach the network, if it did.
    pub fn unreachable_network(&self) -> Option<String> {
        match self.fetcher.as_deref()?.network() {
            fetch::NetworkVerdict::Unreachable(evidence) => Some(evidence.to_string()),
            _ => None,
        }
    }

    /// An engine on `jobs` worker threads (0: one per core); the fetcher starts its own
    /// threads on the first URL, and only with `options.online`.
    pub fn new(options: Options, jobs: usize) -> Result<Self, String> {
        let pool = Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(jobs)
                .build()
                .map_err(|error| format!("cannot start worker threads: {error}"))?,
        );
        let fetcher = options.online.then(|| {
            let mut config = options.fetch.clone();
            // Fetched bodies are screened on the workers, not on the I/O threads.
            config.faces = options.faces.then(|| pool.clone());
            Arc::new(Fetcher::new(config))
        });
        let rules = RuleTables::new(&options.plan);
        Ok(Self {
            options,
            pool,
            fetcher,
            progress: Progress::hidden(),
            rules,
            network_reported: AtomicBool::new(false),
        })
    }

    /// Shows progress on `progress` (advanced by the bytes of each batch checked).
    #[must_use]
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Checks the file at `path` (`-` reads standard input).
    pub fn check_path(&self, path: &Path, out: &mut Output<'_>) -> Result<(), Stop> {
        let name = input_name(path);
        self.progress.set_file(&name);
        if path == Path::new("-") {
            return self.check_stream(io::stdin(), &name, out);
        }
        let file = File::open(path).map_err(Stop::Input)?;
        let batches = BatchReader::of_file(file, self.options.batches);
        self.check_batches(batches, &name, out)
    }

    /// Checks one input stream, emitting its diagnostics in input order.
    pub fn check_stream(
        &self,
        reader: impl Read + Send,
        file: &Arc<str>,
        out: &mut Output<'_>,
    ) -> Result<(), Stop> {
        self.check_batches(BatchReader::new(reader, self.options.batches), file, out)
    }

    fn check_batches(
        &self,
        batches: BatchReader<impl Read + Send>,
        file: &Arc<str>,
        out: &mut Output<'_>,
    ) -> Result<(), Stop> {
        if let Some(fetcher) = &self.fetcher {
            fetcher.begin_file();
        }
        let mut state = FileState {
            file,
            facts: FileFacts {
                target: self.options.target,
                requested: self.options.method.fixed(),
                model: self.options.model_given.then_some(self.options.model),
                ..FileFacts::default()
            },
            seen_crlf: false,
            urls: Vec::new(),
            skips: FileSkips::default(),
            info: InfoGroups::new(self.options.info_per_line),
        };
        let read = self.read_and_check(batches, &mut state, out);
        if let Err(Stop::Input(_)) = &read {
            // The lines read before the error keep their grouped info.
            for diagnostic in state.info.finish() {
                out.emit(&diagnostic)?;
            }
        }
        read?;
        if let Some(fetcher) = &self.fetcher {
            self.collect_fetched(fetcher, &mut state, out)?;
        }
        let FileState {
            mut facts,
            skips,
            mut info,
            ..
        } = state;
        for diagnostic in info.finish() {
            out.emit(&diagnostic)?;
        }
        (out.observe)(Observed::FileEnd);
        facts.skipped_image_lines = skips.certain_lines().collect();
        facts.probably_skipped_examples = skips.probable_only();

        for finding in self.rules.file_findings(&facts, &self.options) {
            let location = Location {
                file: file.clone(),
                line: None,
                column: None,
                pointer: None,
            };
            out.emit(&locate::into_diagnostic(finding, location, None))?;
        }
        out.summary.file_method(file, facts.method);
        out.summary.files += 1;
        out.summary.examples += facts.examples;
        out.summary.examples_with_images += facts.examples_with_images;
        out.summary.images += facts.images;
        let totals = FileTotals {
            examples: facts.examples,
            examples_with_images: facts.examples_with_images,
            images: facts.images,
            unverified: facts.url_images,
        };
        out.summary.forecast.add_file(totals, &skips);
        out.summary.forecast.faces_screened = self.options.faces;
        Ok(())
    }

    /// Fixes the file at `path` (`-` reads standard input) into `sinks`, counting in `tally`.
    pub fn fix_path(
        &self,
        path: &Path,
        policy: &FixPolicy,
        sinks: &mut FixSinks<'_>,
        tally: &mut FixTally,
    ) -> Result<(), Stop> {
        let name = input_name(path);
        let mut limits = self.options.batches;
        if policy.inline_urls {
            // A line's fixed bytes are held until its whole batch is done, and inlining
            // makes a short line as large as its images: few lines per batch keep that
            // bounded, however many URLs the file has.
            limits.max_entries = limits.max_entries.min(INLINE_BATCH_LINES);
            limits.min_lines = limits.min_lines.min(INLINE_BATCH_LINES);
        }
        if path == Path::new("-") {
            let reader = BatchReader::new(io::stdin(), limits);
            return self.fix_batches(reader, None, &name, policy, sinks, tally);
        }
        let file = File::open(path).map_err(Stop::Input)?;
        // Lines too long to hold are copied from the file, not from memory.
        let source = File::open(path).map_err(Stop::Input)?;
        let reader = BatchReader::of_file(file, limits);
        self.fix_batches(reader, Some(source), &name, policy, sinks, tally)
    }

    fn fix_batches(
        &self,
        reader: BatchReader<impl Read + Send>,
        mut source: Option<File>,
        file: &Arc<str>,
        policy: &FixPolicy,
        sinks: &mut FixSinks<'_>,
        tally: &mut FixTally,
    ) -> Result<(), Stop> {
        let file_fixes = repair::file_fixes(&self.rules, &self.options, policy);
        let requested = self.options.method.fixed();
        let mut first = true;
        let fetcher = self.fetcher.as_deref().filter(|_| policy.inline_urls);
        if let Some(fetcher) = fetcher {
            fetcher.begin_file();
        }
        let inliner = fetcher.map(inline::UrlInliner::new);
        let decided = std::cell::Cell::new(Method::default());
        self.stream_batches(
            reader,
            |first_batch| {
                let (method, foreign) = line::decide_method(requested, first_batch);
                decided.set(method);
                let foreign_file = foreign.is_some();
                let cx = repair::RepairContext {
                    rules: &self.rules,
                    options: &self.options,
                    method,
                    foreign_file,
                    file,
                    policy,
                    file_fixes,
                    inline: inliner.as_ref().zip(fetcher),
                };
                move |raw: &RawLine<'_>| repair::repair_line(raw, &cx)
            },
            |batch| {
                if let Some(inliner) = &inliner {
                    inliner.submit_batch(batch, decided.get(), &self.options);
                }
            },
            |batch, repairs| {
                if std::mem::take(&mut first) {
                    repair::write_bom(batch, file_fixes, sinks, tally).map_err(Stop::Output)?;
                }
                repair::take_repairs(batch, repairs, source.as_mut(), file, policy, sinks, tally)
                    .map_err(Stop::Output)
            },
        )
    }

    /// Reads the stream on its own thread and checks its batches on the pool, several at
    /// a time, recording their outcomes in input order.
    fn read_and_check(
        &self,
        reader: BatchReader<impl Read + Send>,
        state: &mut FileState<'_>,
        out: &mut Output<'_>,
    ) -> Result<(), Stop> {
        let file = state.file;
        let requested = state.facts.requested;
        let mut decided = (Method::default(), None);
        let result = self.stream_batches(
            reader,
            |first_batch| {
                let (method, foreign) = line::decide_method(requested, first_batch);
                let foreign_file = foreign.is_some();
                decided = (method, foreign);
                move |line: &RawLine<'_>| {
                    line::check(line, method, foreign_file, &self.rules, &self.options, file)
                }
            },
            |_| {},
            |batch, outcomes| self.record_batch(batch, outcomes, state, out),
        );
        (state.facts.method, state.facts.foreign) = decided;
        result
    }

    /// The pipeline shared by `check` and `fix`: reads `reader` on its own thread, runs
    /// `per_line` (made from the first batch, before any line is looked at) on every line
    /// on the pool, several batches at a time, and hands each batch's results to `take` in
    /// input order. `dispatch` sees each batch, in order, just before the pool does.
    /// Checked batches' buffers go back to the reader.
    pub(crate) fn stream_batches<T, F>(
        &self,
        mut reader: BatchReader<impl Read + Send>,
        per_line: impl FnOnce(Option<&Batch>) -> F,
        mut dispatch: impl FnMut(&Batch),
        mut take: impl FnMut(&Batch, Vec<T>) -> Result<(), Stop>,
    ) -> Result<(), Stop>
    where
        T: Send,
        F: Fn(&RawLine<'_>) -> T + Sync,
    {
        thread::scope(|scope| {
            let (sender, batches) = mpsc::sync_channel::<io::Result<Batch>>(READ_AHEAD);
            let (recycle, spare_buffers) = mpsc::channel::<Vec<u8>>();
            scope.spawn(move || {
                let spare = || spare_buffers.try_recv().unwrap_or_default();
                while let Some(next) = reader.next_batch_in(spare()).transpose() {
                    let failed = next.is_err();
                    // A send fails only when the receiver stopped early; nothing more to do.
                    if sender.send(next).is_err() || failed {
                        break;
                    }
                }
            });

            // Batches are checked as pool tasks, several at a time, so the workers never
            // wait for this thread to emit a batch or for the slowest line of one; results
            // are put back in input order here.
            let (done, results) = mpsc::channel::<(usize, Batch, thread::Result<Vec<T>>)>();
            let mut batches = batches.into_iter().peekable();
            let per_line = per_line(batches.peek().and_then(|batch| batch.as_ref().ok()));
            let per_line = &per_line;
            self.pool.in_place_scope(|tasks| {
                let mut finished = BTreeMap::new();
                let (mut spawned, mut taken) = (0, 0);
                let mut wait_for_one = |taken: &mut usize| -> Result<(), Stop> {
                    // Every task sends its result (a panic included), and `done` is still
                    // held here, so this returns.
                    let Ok((index, batch, outcomes)) = results.recv() else {
                        return Ok(());
                    };
                    let outcomes = outcomes.unwrap_or_else(|panic| panic::resume_unwind(panic));
                    finished.insert(index, (batch, outcomes));
                    while let Some((batch, outcomes)) = finished.remove(taken) {
                        *taken += 1;
                        take(&batch, outcomes)?;
                        // The reader may have finished already; the buffer is then dropped.
                        let _ = recycle.send(batch.into_buffer());
                    }
                    Ok(())
                };
                for batch in batches {
                    let batch = batch.map_err(Stop::Input)?;
                    dispatch(&batch);
                    let (index, done) = (spawned, done.clone());
                    spawned += 1;
                    tasks.spawn(move |_| {
                        let outcomes = panic::catch_unwind(AssertUnwindSafe(|| {
                            let lines: Vec<RawLine<'_>> = batch.lines().collect();
                            lines.par_iter().map(per_line).collect()
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
        })
    }

    /// Takes a checked batch's outcomes, in input order: totals, then diagnostics.
    fn record_batch(
        &self,
        batch: &Batch,
        outcomes: Vec<LineOutcome>,
        state: &mut FileState<'_>,
        out: &mut Output<'_>,
    ) -> Result<(), Stop> {
        let facts = &mut state.facts;
        facts.bytes += batch.byte_len() as u64;
        self.progress.advance(batch.byte_len() as u64);
        if batch.starts_with_bom {
            facts.has_bom = true;
            let findings = self
                .rules
                .line_findings(&LineEvent::ByteOrderMark, &self.options);
            for diagnostic in locate::at_file_start(findings, state.file) {
                out.emit_or_group(&mut state.info, &diagnostic)?;
            }
        }
        for (outcome, line) in outcomes.into_iter().zip(batch.lines()) {
            if let LineKind::Foreign = outcome.kind {
                (out.observe)(Observed::Example {
                    line: line.number,
                    tokens: None,
                });
                facts.examples += 1;
                facts.foreign_lines += 1;
            }
            if let LineKind::Example { images, tokens } = outcome.kind {
                for skipped in &outcome.skips {
                    state.skips.skip(
                        line.number,
                        images,
                        &skipped.pointer,
                        skipped.skip,
                        skipped.tokens,
                    );
                }
                (out.observe)(Observed::Example {
                    line: line.number,
                    tokens: tokens.as_ref(),
                });
                facts.examples += 1;
                facts.images += images;
                facts.examples_with_images += u64::from(images > 0);
                if images > 0 && facts.first_image_line.is_none() {
                    facts.first_image_line = Some(line.number);
                }
            }
            // Only the first CRLF line of a file is reported, so its event is raised here,
            // where the file's order is known.
            if let Some(offset) = outcome.crlf.filter(|_| !state.seen_crlf) {
                state.seen_crlf = true;
                let event = LineEvent::FirstCrlf { offset };
                let findings = self.rules.line_findings(&event, &self.options);
                let text = String::from_utf8_lossy(&line.bytes[..offset]);
                for finding in findings {
                    let diagnostic = locate::in_line(finding, &text, &line, state.file);
                    out.emit_or_group(&mut state.info, &diagnostic)?;
                }
            }
            for diagnostic in &outcome.diagnostics {
                out.emit_or_group(&mut state.info, diagnostic)?;
            }
            match &self.fetcher {
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

    /// Waits for the file's image URLs and emits what their outcomes bring: the findings
    /// of the URL rules for those that gave no image, of the image rules for the others.
    fn collect_fetched(
        &self,
        fetcher: &Fetcher,
        state: &mut FileState<'_>,
        out: &mut Output<'_>,
    ) -> Result<(), Stop> {
        let file = state.file;
        let urls = std::mem::take(&mut state.urls);
        let (facts, skips, info) = (&mut state.facts, &mut state.skips, &mut state.info);
        let mut unreachable = 0;
        for url in urls {
            let outcome = fetcher.wait(&url.url);
            // No network, or the fetch budget ran out: not checked, as under `--offline`.
            if let fetch::Outcome::NotVerified(why) = &*outcome {
                facts.url_images += 1;
                unreachable += u64::from(*why == fetch::Unverified::NoNetwork);
                if facts.url_images_unfetched_because != Some(fetch::Unverified::NoNetwork) {
                    facts.url_images_unfetched_because = Some(*why);
                }
                continue;
            }
            if let Some(fetched) = fetched_image(&url, &outcome, self.options.model) {
                (out.observe)(Observed::FetchedImage {
                    line: url.line,
                    fetched,
                });
            }
            let location = Location {
                file: file.clone(),
                line: Some(url.line),
                column: url.column,
                pointer: Some(url.pointer.clone()),
            };
            let (findings, image_url) = match &*outcome {
                fetch::Outcome::Failed(failure) => {
                    let event = UrlEvent {
                        pointer: &url.pointer,
                        url: &url.url,
                        failure,
                    };
                    (self.rules.url_findings(&event, &self.options), None)
                }
                fetch::Outcome::Body(body) => {
                    let image = ImageView {
                        pointer: url.pointer.clone(),
                        origin: ImageOrigin::Remote {
                            url: &url.url,
                            content_type: body.content_type.as_deref(),
                        },
                        len: body.len,
                        at_least: body.at_least,
                        probe: body.probe.as_ref(),
                        faces: body.faces,
                    };
                    let mut findings = Vec::new();
                    self.rules
                        .image_findings(&image, &self.options, &mut findings);
                    (findings, Some(url.url.clone()))
                }
                fetch::Outcome::NotVerified(_) => continue,
            };
            for finding in findings {
                if let Some(skip) = finding.rule.effect.skip() {
                    let tokens = fetched_image_tokens(&url, &outcome, self.options.model);
                    skips.skip(url.line, url.images, &url.pointer, skip, tokens);
                }
                let mut diagnostic =
                    locate::into_diagnostic(finding, location.clone(), url.snippet.clone());
                diagnostic.image_url.clone_from(&image_url);
                out.emit_or_group(info, &diagnostic)?;
            }
        }
        fetcher.pause_progress();
        // No network is not a file of broken URLs: the check could not be done (exit 2),
        // said once per run.
        if unreachable > 0
            && let fetch::NetworkVerdict::Unreachable(evidence) = fetcher.network()
            && !self.network_reported.swap(true, Ordering::Relaxed)
        {
            out.summary.failures.push(format!(
                "cannot reach the network ({evidence}): {} of `{file}` not verified; pass `--offline` to check without fetching",
                crate::numbers::count(unreachable, "image URL", "image URLs")
            ));
        }
        Ok(())
    }
}

/// What the emitting thread keeps about the file being checked.
struct FileState<'f> {
    file: &'f Arc<str>,
    facts: FileFacts,
    /// Only the first CRLF line of a file is reported.
    seen_crlf: bool,
    /// Image URLs submitted to the fetcher, checked when the file's lines are done.
    urls: Vec<UrlRef>,
    /// The images the platform will skip, for the forecast and the skip threshold.
    skips: FileSkips,
    /// Info findings on lines, emitted once per rule at the end of the file.
    info: InfoGroups,
}

/// What a fetch outcome tells of an image URL its example counted at its least (`None`
/// when its `detail` needs no size, so it was counted exactly).
fn fetched_image(url: &UrlRef, outcome: &fetch::Outcome, model: Model) -> Option<FetchedImage> {
    if !image::needs_dimensions(url.detail, model) {
        return None;
    }
    let bounds = image::unknown_bounds(url.detail, model);
    let extra = match outcome {
        fetch::Outcome::Body(body) => body
            .probe
            .as_ref()
            .map(|p| &p.header)
            .filter(|h| h.width > 0 && h.height > 0)
            .map(|h| {
                image::image_tokens(h.width, h.height, url.detail, model)
                    .saturating_sub(bounds.least)
            }),
        fetch::Outcome::Failed(_) => None,
        fetch::Outcome::NotVerified(_) => return None,
    };
    Some(FetchedImage {
        extra,
        headroom: bounds.headroom(),
    })
}

/// The tokens a fetched image counts in its example: at its size when the body gave one,
/// else the minimum it was counted with.
fn fetched_image_tokens(url: &UrlRef, outcome: &fetch::Outcome, model: Model) -> u32 {
    let dimensions = match outcome {
        fetch::Outcome::Body(body) => body
            .probe
            .as_ref()
            .map(|p| (p.header.width, p.header.height)),
        _ => None,
    };
    image::counted_tokens(dimensions, url.detail, model).0
}
