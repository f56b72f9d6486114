//! `vft fix` on the check pipeline: each line is checked as `vft check` checks it, the fixes
//! its findings carry are applied as edits of its bytes, and the result is checked again
//! (a few passes, for fixes that overlap). In input order, each line is then written
//! unchanged, fixed, left out, or set aside with the reasons it stays invalid.
//!
//! The fixer names no rule: it applies the [`FixAction`]s the rules attach, as the
//! [`FixPolicy`] allows.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, FixAction, RuleMeta, Severity};
use crate::example::{Example, ImageSource};
use crate::fix::edit::{self, Edit};
use crate::fix::image;
use crate::fix::{FixPolicy, FixTally};
use crate::input::pointer::{self as json_pointer, SpanTarget};
use crate::input::{Batch, JsonPointer, RawLine, Special};
use crate::json::Document;
use crate::media::data_uri;
use crate::method::Method;
use crate::rules::{FileFacts, LineEvent};
use crate::tokens::image::Detail;

use super::inline::{self, UrlInliner};
use super::line::{self, LineKind};
use super::options::Options;
use super::rules::RuleTables;

/// Fix-and-check passes per line: fixes whose edits overlap wait for the next pass.
const MAX_PASSES: usize = 4;
/// Long strings (base64 payloads) in `--diff` output are cut to this many characters.
const DIFF_STRING_KEEP: usize = 48;

/// Where `vft fix` writes. `None` writes nothing there (`--diff` writes only the diff).
pub struct FixSinks<'w> {
    /// The fixed file.
    pub output: Option<&'w mut dyn Write>,
    /// Lines that stay invalid, unchanged.
    pub rejects: Option<&'w mut dyn Write>,
    /// One JSON object per rejected line, in the same order: its line number and reasons.
    pub reasons: Option<&'w mut dyn Write>,
    /// What would change, line by line.
    pub diff: Option<&'w mut dyn Write>,
}

/// What became of one line.
enum Verdict {
    Unchanged,
    Fixed(Vec<u8>),
    Dropped,
    /// Still has errors after fixing: written unchanged to the rejects (or kept).
    Invalid,
}

/// One line's repair, made on a worker.
pub(super) struct LineRepair {
    verdict: Verdict,
    /// The rules whose fixes were applied, once per finding fixed.
    applied: Vec<&'static RuleMeta>,
    /// The rules whose fix only `--unsafe-fixes` applies.
    withheld: Vec<&'static RuleMeta>,
    notes: Vec<String>,
    /// Images downscaled to their `detail` (`--fit-detail`).
    fitted: u64,
    /// Image URLs embedded as data URIs (`--inline-urls`).
    inlined: u64,
    /// The errors left (for `Invalid`).
    reasons: Vec<Diagnostic>,
}

/// What the rules' fixes for the whole file say: from the first batch.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FileFixes {
    strip_carriage_returns: Option<&'static RuleMeta>,
    remove_bom: Option<&'static RuleMeta>,
    add_bom: Option<&'static RuleMeta>,
}

/// One rejected line in the reasons file.
#[derive(Serialize)]
struct RejectRecord<'a> {
    line: u64,
    reasons: Vec<RejectReason<'a>>,
}

#[derive(Serialize)]
struct RejectReason<'a> {
    code: &'static str,
    name: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
}

/// What a line's repair needs: the rules, the options and the file's method.
pub(super) struct RepairContext<'c> {
    pub(super) rules: &'c RuleTables,
    pub(super) options: &'c Options,
    pub(super) method: Method,
    pub(super) foreign_file: bool,
    pub(super) file: &'c Arc<str>,
    pub(super) policy: &'c FixPolicy,
    pub(super) file_fixes: FileFixes,
    /// With `--inline-urls`: the line's image URLs, queued with this fetcher.
    pub(super) inline: Option<(&'c UrlInliner<'c>, &'c crate::fetch::Fetcher)>,
}

/// The file-wide fixes the policy allows: the rules' answers to a CRLF line, a BOM, and a
/// file without one.
pub(super) fn file_fixes(rules: &RuleTables, options: &Options, policy: &FixPolicy) -> FileFixes {
    let find = |findings: Vec<crate::rules::Finding>, action: &FixAction| {
        findings
            .into_iter()
            .find(|f| f.fix.as_ref() == Some(action) && policy.applies(f.rule))
            .map(|f| f.rule)
    };
    let crlf = rules.line_findings(&LineEvent::FirstCrlf { offset: 0 }, options);
    let bom = rules.line_findings(&LineEvent::ByteOrderMark, options);
    let no_bom = FileFacts {
        target: options.target,
        bytes: 1,
        ..FileFacts::default()
    };
    FileFixes {
        strip_carriage_returns: find(crlf, &FixAction::StripCarriageReturns),
        remove_bom: find(bom, &FixAction::RemoveByteOrderMark),
        add_bom: find(
            rules.file_findings(&no_bom, options),
            &FixAction::AddByteOrderMark,
        ),
    }
}

/// Checks and fixes one line (on a worker).
pub(super) fn repair_line(raw: &RawLine<'_>, cx: &RepairContext<'_>) -> LineRepair {
    let RepairContext {
        rules,
        options,
        method,
        foreign_file,
        file,
        policy,
        file_fixes,
        inline: inliner,
    } = *cx;
    // Every URL queued for the line is taken, whatever becomes of the line, so the
    // budget its body holds is given back.
    let queued = inliner.map(|(inliner, _)| inliner.take_line(raw.number));
    let check = |bytes: &[u8]| {
        let line = RawLine {
            bytes,
            special: None,
            ..*raw
        };
        line::check(&line, method, foreign_file, rules, options, file)
    };
    let outcome = line::check(raw, method, foreign_file, rules, options, file);
    let mut repair = LineRepair {
        verdict: Verdict::Unchanged,
        applied: Vec::new(),
        withheld: Vec::new(),
        notes: Vec::new(),
        fitted: 0,
        inlined: 0,
        reasons: Vec::new(),
    };
    if let LineKind::Blank = outcome.kind {
        if let Some(rule) = outcome
            .diagnostics
            .iter()
            .find(|d| d.fix == Some(FixAction::DropLine) && policy.applies(d.rule))
            .map(|d| d.rule)
        {
            repair.verdict = Verdict::Dropped;
            repair.applied.push(rule);
        }
        return repair;
    }

    // Borrowed until a fix changes it: most lines pass through without a copy.
    let mut current: Cow<'_, [u8]> = Cow::Borrowed(raw.bytes);
    let mut changed = false;
    if let (Some(at), Some(rule)) = (outcome.crlf, file_fixes.strip_carriage_returns) {
        current = Cow::Borrowed(&raw.bytes[..at]);
        changed = true;
        repair.applied.push(rule);
    }
    let mut diagnostics = outcome.diagnostics;
    let mut url_reasons = Vec::new();
    if let (Some(queued), Some((_, fetcher))) = (queued.filter(|q| !q.is_empty()), inliner) {
        match std::str::from_utf8(&current) {
            Ok(text) => {
                let embedded =
                    inline::inline_line(text, queued, fetcher, rules, options, raw, file);
                repair.notes.extend(embedded.notes);
                url_reasons = embedded.reasons;
                if !embedded.edits.is_empty() {
                    repair.inlined = embedded.edits.len() as u64;
                    current = Cow::Owned(edit::apply(&current, &embedded.edits).0);
                    changed = true;
                    // The embedded images are checked, and fixed, like any data URI.
                    diagnostics = check(&current).diagnostics;
                }
            }
            // Not reached: only lines that are text have URLs queued.
            Err(_) => inline::release(queued, fetcher),
        }
    }
    let mut failed_images: Vec<JsonPointer> = Vec::new();
    for _ in 0..MAX_PASSES {
        let Ok(text) = std::str::from_utf8(&current) else {
            break;
        };
        let (edits, rules) = edits(
            text,
            &diagnostics,
            raw.number,
            policy,
            &mut failed_images,
            &mut repair.notes,
        );
        if edits.is_empty() {
            break;
        }
        let (next, applied) = edit::apply(&current, &edits);
        for (rules, applied) in rules.into_iter().zip(applied) {
            if applied {
                repair.applied.extend(rules);
            }
        }
        current = Cow::Owned(next);
        changed = true;
        diagnostics = check(&current).diagnostics;
    }
    // A rule counts once per line it fixed, however many edits that took.
    repair.applied.sort_by_key(|rule| rule.id);
    repair.applied.dedup_by_key(|rule| rule.id);
    repair.withheld = diagnostics
        .iter()
        .filter(|d| d.fix.is_some() && policy.withheld(d.rule))
        .map(|d| d.rule)
        .collect();
    repair.reasons = diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    repair.reasons.extend(url_reasons);
    if let (true, Some(model)) = (repair.reasons.is_empty(), policy.image.fit_detail)
        && let Some(fitted) = fit_to_detail(
            &current,
            method,
            model,
            raw.number,
            policy,
            &mut repair.notes,
        )
    {
        repair.fitted = fitted.1;
        current = Cow::Owned(fitted.0);
        changed = true;
    }
    if repair.inlined > 0 && current.len() as u64 > options.batches.max_line_bytes {
        // The reader would refuse the line the inlined images made: set it aside instead.
        repair
            .reasons
            .extend(inline::too_long(current.len(), rules, options, raw, file));
    }
    repair.verdict = if !repair.reasons.is_empty() {
        repair.applied.clear();
        repair.inlined = 0;
        Verdict::Invalid
    } else if changed {
        Verdict::Fixed(current.into_owned())
    } else {
        Verdict::Unchanged
    };
    repair
}

/// `--fit-detail`: the line with each data-URI image downscaled to its `detail`'s size
/// where that makes it smaller without changing its tokens, and how many were.
fn fit_to_detail(
    line: &[u8],
    method: Method,
    model: crate::tokens::Model,
    number: u64,
    policy: &FixPolicy,
    notes: &mut Vec<String>,
) -> Option<(Vec<u8>, u64)> {
    let text = std::str::from_utf8(line).ok()?;
    let document = Document::parse(text).ok()?;
    let example = Example::of(document.root().as_object()?, method);
    let mut edits = Vec::new();
    for image in &example.images {
        let (ImageSource::Data { .. }, Some(url)) = (&image.source, image.url) else {
            continue;
        };
        let at = image.url_pointer();
        match image::fit_to_detail(url, Detail::of(image.detail), model, policy.image) {
            Ok(Some(fitted)) => {
                let span = json_pointer::resolve(text, &at, SpanTarget::Value)?;
                notes.push(format!("line {number} `{at}`: {}", fitted.note));
                edits.push(Edit::replace(
                    span,
                    serde_json::to_string(&fitted.uri).ok()?,
                ));
            }
            Ok(None) => {}
            Err(why) => notes.push(format!("line {number} `{at}`: not fitted: {why}")),
        }
    }
    if edits.is_empty() {
        return None;
    }
    let count = edits.len() as u64;
    Some((edit::apply(line, &edits).0, count))
}

/// The edits the applicable fixes of `diagnostics` make, each with the rules it fixes.
/// One image is repaired once, whatever rules found it; a repair supersedes a relabel.
fn edits(
    text: &str,
    diagnostics: &[Diagnostic],
    line: u64,
    policy: &FixPolicy,
    failed_images: &mut Vec<JsonPointer>,
    notes: &mut Vec<String>,
) -> (Vec<Edit>, Vec<Vec<&'static RuleMeta>>) {
    let applicable: Vec<(&FixAction, &'static RuleMeta)> = diagnostics
        .iter()
        .filter(|d| policy.applies(d.rule))
        .filter_map(|d| Some((d.fix.as_ref()?, d.rule)))
        .collect();
    let repaired: Vec<&JsonPointer> = applicable
        .iter()
        .filter_map(|(action, _)| match action {
            FixAction::RepairImage(at) if !failed_images.contains(at) => Some(at),
            _ => None,
        })
        .collect();
    let mut edits: Vec<Edit> = Vec::new();
    let mut rules: Vec<Vec<&'static RuleMeta>> = Vec::new();
    let mut images: Vec<(JsonPointer, usize)> = Vec::new();
    for (action, rule) in &applicable {
        let edit = match action {
            FixAction::RemoveMembers(members) => {
                let before = edits.len();
                for member in members {
                    if let Some(edit) = edit::remove_member(text, member) {
                        edits.push(edit);
                        rules.push(Vec::new());
                    }
                }
                // The finding is fixed once, by the first of its removals.
                if let Some(first) = rules.get_mut(before) {
                    first.push(rule);
                }
                continue;
            }
            FixAction::ReplaceValue(at, json) => edit::replace_value(text, at, json.clone()),
            FixAction::RelabelImage(at, mime) if !repaired.contains(&at) => relabel(text, at, mime),
            FixAction::RepairImage(at) if !failed_images.contains(at) => {
                if let Some((_, index)) = images.iter().find(|(p, _)| p == at) {
                    rules[*index].push(rule);
                    continue;
                }
                match repair_image(text, at, policy) {
                    Ok((edit, note)) => {
                        notes.push(format!("line {line} `{at}`: {note}"));
                        images.push((at.clone(), edits.len()));
                        Some(edit)
                    }
                    Err(why) => {
                        notes.push(format!("line {line} `{at}`: cannot fix the image: {why}"));
                        failed_images.push(at.clone());
                        None
                    }
                }
            }
            _ => None,
        };
        if let Some(edit) = edit {
            edits.push(edit);
            rules.push(vec![rule]);
        }
    }
    (edits, rules)
}

/// The edit that replaces the data-URI image at `at` with a repaired one, and the note.
fn repair_image(
    text: &str,
    at: &JsonPointer,
    policy: &FixPolicy,
) -> Result<(Edit, String), String> {
    let span = json_pointer::resolve(text, at, SpanTarget::Value).ok_or("the value is gone")?;
    let uri: String =
        serde_json::from_str(&text[span.clone()]).map_err(|_| "the URL is not a string")?;
    let detail = at
        .parent()
        .map(|part| part.key("detail"))
        .and_then(|detail| json_pointer::resolve(text, &detail, SpanTarget::Value))
        .and_then(|span| Document::parse(&text[span]).ok());
    let detail = Detail::of(detail.as_ref().map(Document::root));
    let repaired = image::repair(&uri, detail, policy.image)?;
    let json = serde_json::to_string(&repaired.uri).map_err(|error| error.to_string())?;
    Ok((Edit::replace(span, json), repaired.note))
}

/// Writes a batch's lines where their verdicts send them, in input order.
pub(super) fn take_repairs(
    batch: &Batch,
    repairs: Vec<LineRepair>,
    mut source: Option<&mut File>,
    file: &Arc<str>,
    policy: &FixPolicy,
    sinks: &mut FixSinks<'_>,
    tally: &mut FixTally,
) -> io::Result<()> {
    for (repair, raw) in repairs.into_iter().zip(batch.lines()) {
        let lines = match raw.special {
            Some(Special::BlankRun { lines }) => lines,
            _ => 1,
        };
        tally.lines += lines;
        for rule in &repair.withheld {
            FixTally::count(&mut tally.withheld, rule);
        }
        for note in repair.notes {
            tally.note(note);
        }
        tally.fitted += repair.fitted;
        tally.inlined += repair.inlined;
        let newline: &[u8] = if raw.unterminated { b"" } else { b"\n" };
        match repair.verdict {
            Verdict::Unchanged => {
                tally.unchanged += lines;
                if let Some(out) = sinks.output.as_deref_mut() {
                    write_raw(out, &raw, source.as_deref_mut())?;
                }
            }
            Verdict::Fixed(bytes) => {
                tally.fixed += 1;
                for rule in &repair.applied {
                    FixTally::count(&mut tally.by_rule, rule);
                }
                if let Some(out) = sinks.output.as_deref_mut() {
                    out.write_all(&bytes)
                        .and_then(|()| out.write_all(newline))?;
                }
                if let Some(diff) = sinks.diff.as_deref_mut() {
                    write_diff(diff, file, &raw, Some(&bytes), &repair.applied)?;
                }
            }
            Verdict::Dropped => {
                tally.dropped += lines;
                for rule in &repair.applied {
                    FixTally::count(&mut tally.by_rule, rule);
                }
                if let Some(diff) = sinks.diff.as_deref_mut() {
                    write_diff(diff, file, &raw, None, &repair.applied)?;
                }
            }
            Verdict::Invalid => {
                if let Some(first) = repair.reasons.first() {
                    FixTally::count(&mut tally.reject_reasons, first.rule);
                }
                if policy.keep_invalid {
                    tally.kept_invalid += 1;
                    if let Some(out) = sinks.output.as_deref_mut() {
                        write_raw(out, &raw, source.as_deref_mut())?;
                    }
                    continue;
                }
                tally.rejected += 1;
                if let Some(rejects) = sinks.rejects.as_deref_mut() {
                    write_raw(rejects, &raw, source.as_deref_mut()).and_then(|()| {
                        // Rejects stay JSON Lines even when the input's last line
                        // had no newline.
                        if raw.unterminated {
                            rejects.write_all(b"\n")
                        } else {
                            Ok(())
                        }
                    })?;
                }
                if let Some(reasons) = sinks.reasons.as_deref_mut() {
                    write_reasons(reasons, raw.number, &repair.reasons)?;
                }
                if let Some(diff) = sinks.diff.as_deref_mut() {
                    write_set_aside(diff, file, &raw, &repair.reasons)?;
                }
            }
        }
    }
    Ok(())
}

/// The BOM as the fixes say: kept, removed or added, before line 1.
pub(super) fn write_bom(
    batch: &Batch,
    fixes: FileFixes,
    sinks: &mut FixSinks<'_>,
    tally: &mut FixTally,
) -> io::Result<()> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let write = match (batch.starts_with_bom, fixes.remove_bom, fixes.add_bom) {
        (true, Some(rule), _) => {
            tally.bom = Some(rule);
            false
        }
        (true, None, _) => true,
        (false, _, Some(rule)) if batch.lines().len() > 0 => {
            tally.bom = Some(rule);
            true
        }
        (false, _, _) => false,
    };
    if let (true, Some(out)) = (write, sinks.output.as_deref_mut()) {
        out.write_all(BOM)?;
    }
    Ok(())
}

/// Writes a line as it was read, byte for byte: a run of empty lines as that many, a line
/// too long to hold copied from the file.
fn write_raw(out: &mut dyn Write, raw: &RawLine<'_>, source: Option<&mut File>) -> io::Result<()> {
    let newline: &[u8] = if raw.unterminated { b"" } else { b"\n" };
    match raw.special {
        Some(Special::BlankRun { lines }) => {
            for _ in 0..lines {
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Some(Special::TooLong { len }) => {
            let Some(source) = source else {
                return Err(io::Error::other(format!(
                    "line {} ({len} bytes) is too long to hold, and standard input cannot be read again: fix a file instead",
                    raw.number
                )));
            };
            source.seek(SeekFrom::Start(raw.offset))?;
            let copied = io::copy(&mut source.take(len), out)?;
            if copied != len {
                return Err(io::Error::other(format!(
                    "line {} changed while vft read it",
                    raw.number
                )));
            }
            out.write_all(newline)
        }
        None => {
            out.write_all(raw.bytes)?;
            out.write_all(newline)
        }
    }
}

fn write_reasons(out: &mut dyn Write, line: u64, reasons: &[Diagnostic]) -> io::Result<()> {
    let record = RejectRecord {
        line,
        reasons: reasons
            .iter()
            .map(|d| RejectReason {
                code: d.rule.code,
                name: d.rule.name,
                message: &d.message,
                pointer: d.location.pointer.as_ref().map(JsonPointer::as_str),
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &record)?;
    out.write_all(b"\n")
}

/// A changed line as a unified-diff hunk (long strings cut), or a left-out line.
fn write_diff(
    out: &mut dyn Write,
    file: &Arc<str>,
    raw: &RawLine<'_>,
    fixed: Option<&[u8]>,
    rules: &[&'static RuleMeta],
) -> io::Result<()> {
    let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    codes.dedup();
    writeln!(out, "--- {file}:{}", raw.number)?;
    writeln!(out, "+++ {file}:{} ({})", raw.number, codes.join(", "))?;
    writeln!(out, "-{}", shorten(raw.bytes))?;
    if let Some(fixed) = fixed {
        writeln!(out, "+{}", shorten(fixed))?;
    }
    Ok(())
}

fn write_set_aside(
    out: &mut dyn Write,
    file: &Arc<str>,
    raw: &RawLine<'_>,
    reasons: &[Diagnostic],
) -> io::Result<()> {
    let mut codes: Vec<&str> = reasons.iter().map(|d| d.rule.code).collect();
    codes.dedup();
    writeln!(
        out,
        "--- {file}:{} (set aside: {})",
        raw.number,
        codes.join(", ")
    )?;
    writeln!(out, "-{}", shorten(raw.bytes))
}

/// A line for the diff: invalid UTF-8 replaced, `\r` shown, and every run of more than
/// [`DIFF_STRING_KEEP`] characters without a quote (a base64 payload) cut in the middle.
fn shorten(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len().min(4096));
    for (i, piece) in text.split('"').enumerate() {
        if i > 0 {
            out.push('"');
        }
        let chars = piece.chars().count();
        if chars > 2 * DIFF_STRING_KEEP {
            let head: String = piece.chars().take(DIFF_STRING_KEEP).collect();
            out.push_str(&head);
            let _ = write!(out, "…({} more)", chars - DIFF_STRING_KEEP);
        } else {
            out.push_str(piece);
        }
    }
    out.replace('\r', "\\r")
}

/// The edit that gives the data URI at `at` the media type `mime`.
fn relabel(text: &str, at: &JsonPointer, mime: &str) -> Option<Edit> {
    let span = json_pointer::resolve(text, at, SpanTarget::Value)?;
    let uri: String = serde_json::from_str(&text[span.clone()]).ok()?;
    let parsed = data_uri::parse(&uri).ok()?;
    let relabelled = format!("data:{mime};base64,{}", parsed.payload);
    Some(Edit::replace(
        span,
        serde_json::to_string(&relabelled).ok()?,
    ))
}
