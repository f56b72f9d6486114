//! One line, from bytes to findings, on a worker: read it, raise its parse events, view it
//! as an example, probe its images, count its tokens, run the rules, locate the findings.

use std::sync::Arc;

use crate::diagnostic::{Certainty, SkipReason};
use crate::diagnostic::{Diagnostic, Snippet};
use crate::example::{Example, ImageSource};
use crate::fetch::{self, guard};
use crate::input::{self, Batch, JsonPointer, RawLine, Special};
use crate::json::Document;
use crate::media::bytes::ImageBytes;
use crate::media::examples::probe_images;
use crate::media::faces::screen_probed;
use crate::media::probe::Probe;
use crate::method::{self, Family, ForeignShape, Method};
use crate::rules::{
    ExampleContext, Finding, ImageOrigin, ImageView, LineEvent, Position, UrlEvent,
};
use crate::tokens::ExampleTokens;
use crate::tokens::image;
use crate::tokens::image::Detail;

use super::locate::{self, column_at};
use super::options::Options;
use super::rules::RuleTables;

/// What one line contributed.
pub(super) struct LineOutcome {
    pub(super) kind: LineKind,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Where the line's `\r\n` starts, if it ends so. Only the first CRLF line of a file
    /// is reported, so its event is raised where the file's order is known.
    pub(super) crlf: Option<usize>,
    /// Image URLs to fetch.
    pub(super) urls: Vec<UrlRef>,
    /// The images the line's findings say the platform skips (the rules' skip effect).
    pub(super) skips: Vec<ImageSkip>,
}

/// One skipped image of a line: where, why, and the tokens it was counted with.
pub(super) struct ImageSkip {
    pub(super) pointer: JsonPointer,
    pub(super) skip: (SkipReason, Certainty),
    pub(super) tokens: u32,
}

/// Where an image URL is, kept (small) until its fetch is done.
pub(super) struct UrlRef {
    pub(super) line: u64,
    pub(super) column: Option<u64>,
    /// The excerpt of the line around the URL, for human output.
    pub(super) snippet: Option<Snippet>,
    pub(super) pointer: JsonPointer,
    pub(super) url: Box<str>,
    /// The image's `detail`, for its tokens once its size is known.
    pub(super) detail: Detail,
    /// Images of its example, for the forecast.
    pub(super) images: u64,
}

pub(super) enum LineKind {
    Blank,
    /// A line of a file of the wrong shape ([`first_batch_foreign`]) in that shape: not
    /// checked line by line, the file gets one finding.
    Foreign,
    /// A non-blank line, parsed or not, with its image counts and, when it parsed as an
    /// object, its tokens.
    Example {
        images: u64,
        tokens: Option<ExampleTokens>,
    },
}

/// A line that is not JSON but is several lines ended by lone CRs: the first `\r` after
/// content, and how many non-blank pieces the CRs separate (at least two).
fn cr_only(text: &str) -> Option<LineEvent<'static>> {
    memchr::memchr(b'\r', text.as_bytes())?;
    let (mut lines, mut offset, mut at) = (0_u64, 0, 0);
    for piece in text.split('\r') {
        let end = at + piece.len();
        if !piece.bytes().all(|b| matches!(b, b' ' | b'\t')) {
            if lines == 0 {
                offset = end;
            }
            lines += 1;
        }
        at = end + 1;
    }
    (lines >= 2).then_some(LineEvent::CrOnly { offset, lines })
}

/// Checks one line.
pub(super) fn check(
    line: &RawLine<'_>,
    method: Method,
    foreign_file: bool,
    rules: &RuleTables,
    options: &Options,
    file: &Arc<str>,
) -> LineOutcome {
    let mut bytes = line.bytes;
    // A `\r` ends a CRLF line only when a `\n` follows it (not on an unterminated last line).
    let crlf = (!line.unterminated && bytes.ends_with(b"\r")).then(|| bytes.len() - 1);
    if let Some(at) = crlf {
        bytes = &bytes[..at];
    }
    let mut outcome = LineOutcome {
        kind: LineKind::Blank,
        diagnostics: Vec::new(),
        crlf,
        urls: Vec::new(),
        skips: Vec::new(),
    };
    // A line that ends here gets the findings of its event and no other.
    let ends_with = |event: LineEvent<'_>, text: &str| {
        let findings = rules.line_findings(&event, options);
        locate_sorted(findings, text, line, file)
    };
    match line.special {
        Some(Special::BlankRun { lines }) => {
            outcome.diagnostics = ends_with(LineEvent::Blank { lines }, "");
            return outcome;
        }
        None if bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) => {
            outcome.diagnostics = ends_with(LineEvent::Blank { lines: 1 }, "");
            return outcome;
        }
        _ => {}
    }
    outcome.kind = LineKind::Example {
        images: 0,
        tokens: None,
    };
    if let Some(Special::TooLong { len }) = line.special {
        let limit = options.batches.max_line_bytes;
        outcome.diagnostics = ends_with(LineEvent::TooLong { len, limit }, "");
        return outcome;
    }

    // simdutf8 checks with AVX2 or SSE4.2 where the CPU has them (most lines are valid);
    // std's error gives the offset of an invalid line.
    let valid = simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes));
    let text = match valid {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            let event = LineEvent::InvalidUtf8 {
                offset: at,
                file_offset: line.offset + at as u64,
                byte: bytes[at],
            };
            outcome.diagnostics = rules
                .line_findings(&event, options)
                .into_iter()
                .map(|f| locate::in_invalid_utf8(f, bytes, at, line, file))
                .collect();
            return outcome;
        }
    };
    let document = match Document::parse(text) {
        Ok(document) => document,
        Err(error) => {
            if let Some(event) = cr_only(text) {
                // Not a CRLF line either: its last `\r` ends the last of its CR lines.
                outcome.crlf = None;
                outcome.diagnostics = ends_with(event, text);
                return outcome;
            }
            let event = LineEvent::InvalidJson {
                error: &error,
                text,
                unterminated: line.unterminated,
            };
            outcome.diagnostics = ends_with(event, text);
            return outcome;
        }
    };
    let json = document.root();
    let Some(root) = json.as_object() else {
        outcome.diagnostics = ends_with(LineEvent::NotObject { value: json }, text);
        return outcome;
    };

    if method::family(root).is_some_and(|family| family != Family::of(method)) {
        let event = LineEvent::WrongMethod {
            line: method::classify(root),
            file: method,
        };
        outcome.diagnostics = ends_with(event, text);
        return outcome;
    }

    // In a file that is not a training file at all, its lines would each repeat the
    // file's one finding; lines in a known format are still checked.
    if foreign_file && method::family(root).is_none() {
        outcome.kind = LineKind::Foreign;
        return outcome;
    }

    let example = Example::of(root, method);
    let probes = probe_images(&example, options.depth);
    let tokens = ExampleTokens::count(&example, &probes, options.model);
    let context = ExampleContext {
        example: &example,
        probes: &probes,
        tokens: &tokens,
        model: options.model,
        method,
    };
    let mut findings = Vec::new();
    rules.example_findings(&context, options, &mut findings);
    for image in data_uri_images(&example, &probes, options.faces) {
        rules.image_findings(&image, options, &mut findings);
    }
    for (pointer, url, detail) in example.remote_images() {
        // Syntax and literal addresses are checked here, offline too; host names when
        // they resolve, during the fetch.
        match guard::parse(url, options.fetch.allow_private) {
            Ok(_) => {
                let span = input::pointer::resolve(text, &pointer, input::SpanTarget::Value);
                outcome.urls.push(UrlRef {
                    line: line.number,
                    column: span.as_ref().map(|span| column_at(text, span.start)),
                    // The line is gone when the fetch's findings come: their excerpt (at most
                    // a few hundred bytes) is kept, and only when URLs are fetched.
                    snippet: span
                        .filter(|_| options.online)
                        .map(|span| Snippet::around(text, span)),
                    pointer,
                    url: url.into(),
                    detail: Detail::of(detail),
                    images: example.images.len() as u64,
                });
            }
            Err(problem) => {
                let failure = fetch::Failure::from(problem);
                let event = UrlEvent {
                    pointer: &pointer,
                    url,
                    failure: &failure,
                };
                findings.extend(rules.url_findings(&event, options));
            }
        }
    }
    outcome.skips = skipped_images(&findings, &example, &probes, options);
    outcome.kind = LineKind::Example {
        images: example.images.len() as u64,
        tokens: Some(tokens),
    };
    outcome.diagnostics = locate_sorted(findings, text, line, file);
    outcome
}

/// The file's method and, for a file in no training format, its shape: from its first
/// batch, before any line is checked.
pub(super) fn decide_method(
    requested: Option<Method>,
    first_batch: Option<&Batch>,
) -> (Method, Option<ForeignShape>) {
    let foreign = first_batch.and_then(first_batch_foreign);
    // A file in no training format has no method to decide: `--method`'s, or SFT.
    let first = first_batch
        .filter(|_| foreign.is_none())
        .and_then(first_batch_method);
    (file_method(requested, first), foreign)
}

/// Examples of the first batch [`first_batch_method`] reads at most.
const METHOD_SAMPLE: usize = 100;

/// How `--method auto` decides a file's method: by the first line of its first batch that
/// parses as a JSON object ([`method::classify`]); `None` when no line of the batch does.
/// One correction: a first example that looks like RFT (no assistant answer) is taken as
/// SFT when one of the next examples of the batch (up to [`METHOD_SAMPLE`]) has an
/// assistant message, so an SFT file whose first example lacks its answer is still checked
/// as SFT, and that example reported as such.
pub(super) fn first_batch_method(batch: &Batch) -> Option<Method> {
    let mut examples = batch
        .lines()
        .filter_map(|line| {
            let text = std::str::from_utf8(line.bytes).ok()?;
            Document::parse(text).ok()
        })
        .filter(|document| document.root().as_object().is_some())
        .take(METHOD_SAMPLE);
    let first = method::classify(examples.next()?.root().as_object()?);
    if first == Method::Rft
        && examples.any(|document| {
            document
                .root()
                .as_object()
                .is_some_and(method::has_assistant_message)
        })
    {
        return Some(Method::Sft);
    }
    Some(first)
}

/// The shape of a file that is not in a fine-tuning format (legacy prompt/completion,
/// question/answer pairs…): the first such line's, when most of the first batch's examples
/// (up to [`METHOD_SAMPLE`]) are in neither family of format ([`method::family`]).
/// `None` for a chat or DPO file, even one with a few such lines (each is then reported).
pub(super) fn first_batch_foreign(batch: &Batch) -> Option<ForeignShape> {
    let (mut first, mut foreign, mut known) = (None, 0_usize, 0_usize);
    let objects = batch
        .lines()
        .filter_map(|line| Document::parse(std::str::from_utf8(line.bytes).ok()?).ok())
        .take(METHOD_SAMPLE);
    for document in objects {
        let Some(root) = document.root().as_object() else {
            continue;
        };
        match ForeignShape::of(root) {
            Some(shape) => {
                foreign += 1;
                first.get_or_insert(shape);
            }
            None => known += 1,
        }
    }
    first.filter(|_| foreign > known)
}

/// The method a file is checked as: `--method`, unless its first example is in the other
/// family of format (then that example's method, and the file-level `wrong-method` finding
/// says so: the platform rejects the file, and checking each line against the other
/// format would repeat it on every line); with `auto`, its first example's method.
pub(super) fn file_method(requested: Option<Method>, first: Option<Method>) -> Method {
    match (requested, first) {
        (Some(requested), Some(first)) if Family::of(requested) != Family::of(first) => first,
        (Some(requested), _) => requested,
        (None, first) => first.unwrap_or_default(),
    }
}

fn locate_sorted(
    findings: Vec<Finding>,
    text: &str,
    line: &RawLine<'_>,
    file: &Arc<str>,
) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = findings
        .into_iter()
        .map(|f| locate::in_line(f, text, line, file))
        .collect();
    diagnostics.sort_by_key(|d| (d.location.column, d.rule.code));
    diagnostics
}

/// The images of `example` that `findings` of rules with a skip effect point at, with the
/// tokens each was counted with.
fn skipped_images(
    findings: &[Finding],
    example: &Example<'_>,
    probes: &[Option<Probe>],
    options: &Options,
) -> Vec<ImageSkip> {
    findings
        .iter()
        .filter_map(|finding| {
            let skip = finding.rule.effect.skip()?;
            let Position::Pointer(pointer, _) = &finding.position else {
                return None;
            };
            let index = example
                .images
                .iter()
                .position(|image| image.url_pointer() == *pointer)?;
            let dimensions = probes
                .get(index)
                .and_then(Option::as_ref)
                .map(|p| (p.header.width, p.header.height));
            let detail = Detail::of(example.images[index].detail);
            let (tokens, _) = image::counted_tokens(dimensions, detail, options.model);
            Some(ImageSkip {
                pointer: pointer.clone(),
                skip,
                tokens,
            })
        })
        .collect()
}

/// The data-URI images whose bytes were probed, as the image rules see them; screened for
/// faces (here, on the worker) with `faces`.
fn data_uri_images<'a>(
    example: &'a Example<'a>,
    probes: &'a [Option<Probe>],
    faces: bool,
) -> impl Iterator<Item = ImageView<'a>> {
    example
        .images
        .iter()
        .zip(probes)
        .filter_map(move |(image, probe)| {
            let (
                ImageSource::Data {
                    uri,
                    base64: Ok(len),
                },
                Some(probe),
            ) = (&image.source, probe)
            else {
                return None;
            };
            let faces = faces
                .then(|| {
                    let len = usize::try_from(*len).ok()?;
                    screen_probed(&ImageBytes::base64(uri.payload.as_bytes(), len), probe)
                })
                .flatten();
            Some(ImageView {
                pointer: image.url_pointer(),
                origin: ImageOrigin::Data { mime: uri.mime },
                len: *len,
                at_least: false,
                probe: Some(probe),
                faces,
            })
        })
}
