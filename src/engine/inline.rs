//! `vft fix --inline-urls`: image URLs fetched with the check's fetcher and embedded as
//! data URIs, which the line's fixes then repair like any other.
//!
//! The thread that hands batches to the workers finds each batch's image URLs first and
//! queues them with the fetcher in line order ([`UrlInliner::submit_batch`]), so the fetch
//! threads read ahead of the workers. The worker that repairs a line takes its bodies one
//! at a time ([`inline_line`]) and drops each once it is base64: the bodies held at once are
//! bounded by the fetcher's byte budget, whatever the number of URLs. A URL that gives no
//! image sets its line aside with the findings `vft check` would report for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::diagnostic::{Diagnostic, Severity, short_url};
use crate::example::Example;
use crate::fetch::{Download, Failure, Fetcher, Outcome, Ticket, Unverified, guard};
use crate::fix::edit::Edit;
use crate::fix::image::data_uri_of;
use crate::input::pointer::{self as json_pointer, SpanTarget};
use crate::input::{Batch, JsonPointer, RawLine};
use crate::json::Document;
use crate::media::probe::Format;
use crate::method::Method;
use crate::numbers::thousands;
use crate::rules::{Finding, ImageOrigin, ImageView, LineEvent, UrlEvent};

use super::locate;
use super::options::Options;
use super::rules::RuleTables;

/// Image URLs queued with the fetcher, by line, until the line's worker takes them.
pub(super) struct UrlInliner<'f> {
    fetcher: &'f Fetcher,
    queued: Mutex<HashMap<u64, Vec<QueuedUrl>>>,
}

/// One image URL of a line, queued for its bytes.
pub(super) struct QueuedUrl {
    pointer: JsonPointer,
    url: Box<str>,
    ticket: Ticket,
}

/// What inlining a line's URLs gave.
#[derive(Default)]
pub(super) struct Inlined {
    /// The URL strings replaced by data URIs.
    pub(super) edits: Vec<Edit>,
    /// The findings of the URLs that gave no image: the line stays invalid.
    pub(super) reasons: Vec<Diagnostic>,
    pub(super) notes: Vec<String>,
}

impl<'f> UrlInliner<'f> {
    pub(super) fn new(fetcher: &'f Fetcher) -> Self {
        Self {
            fetcher,
            queued: Mutex::new(HashMap::new()),
        }
    }

    /// Queues the image URLs of `batch`'s lines, in line order (on the thread that hands
    /// batches to the workers, before this one's). URLs whose syntax or literal address
    /// the check refuses are not fetched: the check's findings set their lines aside.
    pub(super) fn submit_batch(&self, batch: &Batch, method: Method, options: &Options) {
        let mut queued = Vec::new();
        for raw in batch.lines().filter(|raw| raw.special.is_none()) {
            let urls = remote_urls(raw.bytes, method, options.fetch.allow_private);
            if urls.is_empty() {
                continue;
            }
            let urls = urls
                .into_iter()
                .map(|(pointer, url)| QueuedUrl {
                    ticket: self.fetcher.submit_bytes(&url),
                    pointer,
                    url,
                })
                .collect();
            queued.push((raw.number, urls));
        }
        if !queued.is_empty() {
            lock(&self.queued).extend(queued);
        }
    }

    /// The URLs queued for line `number`, once: the caller must take every one's body
    /// ([`inline_line`] does), or the budget they hold is not given back until the run ends.
    pub(super) fn take_line(&self, number: u64) -> Vec<QueuedUrl> {
        lock(&self.queued).remove(&number).unwrap_or_default()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The image URLs of a line the fetcher may be asked for, with their pointers.
fn remote_urls(bytes: &[u8], method: Method, allow_private: bool) -> Vec<(JsonPointer, Box<str>)> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let Ok(document) = Document::parse(text) else {
        return Vec::new();
    };
    let Some(root) = document.root().as_object() else {
        return Vec::new();
    };
    Example::of(root, method)
        .remote_images()
        .filter(|(_, url, _)| guard::parse(url, allow_private).is_ok())
        .map(|(pointer, url, _)| (pointer, url.into()))
        .collect()
}

/// Takes the bodies of `queued` (each in turn, dropped once encoded) and makes the edits
/// that put them into `text` as data URIs; what gave no image becomes the reasons the line
/// stays invalid, located in `raw`.
pub(super) fn inline_line(
    text: &str,
    queued: Vec<QueuedUrl>,
    fetcher: &Fetcher,
    rules: &RuleTables,
    options: &Options,
    raw: &RawLine<'_>,
    file: &Arc<str>,
) -> Inlined {
    let mut inlined = Inlined::default();
    for QueuedUrl {
        pointer,
        url,
        ticket,
    } in queued
    {
        let download = fetcher.take_bytes(ticket);
        let at = format!("line {} `{pointer}`", raw.number);
        let (findings, remote) = match download {
            Download::Bytes(whole) => {
                let format = Format::sniff(whole.bytes())
                    .filter(|format| format.is_supported() || format.is_decodable());
                if let Some(format) = format {
                    let uri = data_uri_of(format, whole.bytes());
                    let len = whole.bytes().len() as u64;
                    drop(whole);
                    match replace_url(text, &pointer, &url, &uri) {
                        Some(edit) => {
                            inlined.edits.push(edit);
                            inlined.notes.push(format!(
                                "{at}: inlined `{}` ({} {} bytes)",
                                short_url(&url),
                                format.name(),
                                thousands(len)
                            ));
                        }
                        None => inlined
                            .notes
                            .push(format!("{at}: not inlined: the URL moved in the line")),
                    }
                    continue;
                }
                (
                    image_findings(rules, options, &pointer, &url, &whole.body),
                    true,
                )
            }
            Download::Outcome(Outcome::Body(body)) => {
                (image_findings(rules, options, &pointer, &url, &body), true)
            }
            Download::Outcome(Outcome::Failed(failure)) => (
                url_findings(rules, options, &pointer, &url, &failure),
                false,
            ),
            Download::Outcome(Outcome::NotVerified(why)) => {
                let failure = Failure::Connect(
                    match why {
                        Unverified::Budget => "the fetch budget (`--fetch-budget`) ran out first",
                        Unverified::NoNetwork => "the network is unreachable",
                    }
                    .to_owned(),
                );
                (
                    url_findings(rules, options, &pointer, &url, &failure),
                    false,
                )
            }
        };
        let before = inlined.reasons.len();
        for finding in findings {
            let mut diagnostic = locate::in_line(finding, text, raw, file);
            if remote {
                diagnostic.image_url = Some(url.clone());
            }
            if diagnostic.severity == Severity::Error {
                inlined.reasons.push(diagnostic);
            }
        }
        if inlined.reasons.len() == before {
            // The configuration lets it pass: the URL stays as it is.
            inlined.notes.push(format!(
                "{at}: not inlined: `{}` gives no image vft can embed",
                short_url(&url)
            ));
        }
    }
    inlined
}

/// Gives up the bodies of `queued` (a line that cannot be read as text).
pub(super) fn release(queued: Vec<QueuedUrl>, fetcher: &Fetcher) {
    for url in queued {
        fetcher.release_bytes(url.ticket);
    }
}

/// The edit that replaces the string `url` at `pointer` with `uri`, if it is still there.
fn replace_url(text: &str, pointer: &JsonPointer, url: &str, uri: &str) -> Option<Edit> {
    let span = json_pointer::resolve(text, pointer, SpanTarget::Value)?;
    let current: String = serde_json::from_str(&text[span.clone()]).ok()?;
    if current != url {
        return None;
    }
    Some(Edit::replace(span, serde_json::to_string(uri).ok()?))
}

fn url_findings(
    rules: &RuleTables,
    options: &Options,
    pointer: &JsonPointer,
    url: &str,
    failure: &Failure,
) -> Vec<Finding> {
    let event = UrlEvent {
        pointer,
        url,
        failure,
    };
    rules.url_findings(&event, options)
}

/// What the image rules find in a fetched body that cannot be embedded (not an image, a
/// format vft cannot decode, over the size limit).
fn image_findings(
    rules: &RuleTables,
    options: &Options,
    pointer: &JsonPointer,
    url: &str,
    body: &crate::fetch::Body,
) -> Vec<Finding> {
    let image = ImageView {
        pointer: pointer.clone(),
        origin: ImageOrigin::Remote {
            url,
            content_type: body.content_type.as_deref(),
        },
        len: body.len,
        at_least: body.at_least,
        probe: body.probe.as_ref(),
        faces: None,
    };
    let mut findings = Vec::new();
    rules.image_findings(&image, options, &mut findings);
    findings
}

/// The finding for a line that inlining made longer than a line may be.
pub(super) fn too_long(
    len: usize,
    rules: &RuleTables,
    options: &Options,
    raw: &RawLine<'_>,
    file: &Arc<str>,
) -> Vec<Diagnostic> {
    let event = LineEvent::TooLong {
        len: len as u64,
        limit: options.batches.max_line_bytes,
    };
    rules
        .line_findings(&event, options)
        .into_iter()
        .map(|finding| locate::in_line(finding, "", raw, file))
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .collect()
}
