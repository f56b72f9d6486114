//! `--format sarif`: one SARIF 2.1.0 log for code scanning (GitHub's `upload-sarif`, Azure
//! DevOps, IDE viewers), streamed so that memory does not grow with the findings: the tool
//! and its rules (known up front) first, then each result as it comes, then, when the run
//! ends, the invocation (which needs the run's failures) and the closing brackets.
//!
//! - `tool.driver.rules` lists every rule of the registry: `id` (the code), `name`,
//!   `shortDescription` (the summary), `fullDescription` (the docs' "What it does"),
//!   `help` (the whole documentation, as text and Markdown), `defaultConfiguration.level`
//!   and the category as a tag. `ruleIndex` points into this list.
//! - Each result has `ruleId`, `ruleIndex`, `level` (error → `error`, warning →
//!   `warning`, info → `note`), the message (with the help after it), and a physical
//!   location: the file as a relative URI against `%SRCROOT%` (the working directory) and
//!   a region with the 1-based line and column, columns counted in Unicode code points
//!   (`columnKind`). Findings about a whole file have no region.
//! - A grouped info diagnostic (one per rule and file, `--info-per-line` off) is one
//!   result with `occurrenceCount`, SARIF's own field for "the number of times this
//!   logically unique result was observed", and its other sampled lines as
//!   `relatedLocations`: code scanning then shows one note for advice about the whole
//!   file, not one alert per example. `--info-per-line` gives a result per line.
//! - `invocations[0].executionSuccessful` is false when a file could not be read, and
//!   `toolExecutionNotifications` says which and why.
//! - `partialFingerprints["vft/v1"]` identifies a finding across runs without its line
//!   number, so an alert survives lines being added above it: a hash of the rule code,
//!   the file's URI, the JSON pointer and the content around the finding (the diagnostic's
//!   excerpt of its line with all whitespace removed, so re-indenting or re-serialising
//!   the JSON does not change it), then `:n` for the n-th finding with the same hash in
//!   the run (as GitHub's own `primaryLocationLineHash` does), so identical lines stay
//!   distinct (counted for the first 524,288 distinct hashes; a later new hash gets `:1`).
//!   File-level findings hash the code and URI only: their messages hold counts
//!   that change as the file grows. The hash is 64-bit FNV-1a, stable across platforms and
//!   Rust versions.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::render::emitter::Emitter;
use crate::summary::Summary;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
const FINGERPRINT_KEY: &str = "vft/v1";

pub struct SarifEmitter<'w> {
    out: Box<dyn Write + 'w>,
    /// Every rule, for `tool.driver.rules`; a result's `ruleIndex` is its id.
    rules: Vec<&'static RuleMeta>,
    base: Option<PathBuf>,
    /// Results written so far; the log's head goes out before the first.
    written: u64,
    head_written: bool,
    occurrences: Occurrences,
    /// One result's JSON, reused.
    buffer: Vec<u8>,
}

impl<'w> SarifEmitter<'w> {
    pub fn new(
        out: Box<dyn Write + 'w>,
        base: Option<PathBuf>,
        rules: Vec<&'static RuleMeta>,
    ) -> Self {
        Self {
            out,
            rules,
            base,
            written: 0,
            head_written: false,
            occurrences: Occurrences::default(),
            buffer: Vec::new(),
        }
    }

    /// The log up to the opening of `results`: everything known before the first finding.
    fn write_head(&mut self) -> io::Result<()> {
        if self.head_written {
            return Ok(());
        }
        self.head_written = true;
        let tool = Tool {
            driver: Driver {
                name: "vft",
                version: env!("CARGO_PKG_VERSION"),
                semantic_version: env!("CARGO_PKG_VERSION"),
                rules: self.rules.iter().map(|r| descriptor(r)).collect(),
            },
        };
        write!(
            self.out,
            "{{\n  \"$schema\": {},\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": ",
            serde_json::to_string(SCHEMA)?
        )?;
        write_indented(&mut self.out, &mut self.buffer, &tool, RUN_FIELD_INDENT)?;
        self.out.write_all(b",\n      \"results\": [")
    }
}

/// Indentation of the run's fields, and of the results within `results`.
const RUN_FIELD_INDENT: usize = 6;
const RESULT_INDENT: usize = 8;

/// Writes `value` as pretty JSON whose lines after the first are indented by `indent`
/// (a JSON string holds no raw newline, so every `\n` of the output is between tokens).
fn write_indented(
    out: &mut dyn Write,
    buffer: &mut Vec<u8>,
    value: &impl Serialize,
    indent: usize,
) -> io::Result<()> {
    buffer.clear();
    serde_json::to_writer_pretty(&mut *buffer, value)?;
    let pad = [b' '; RESULT_INDENT];
    for (i, line) in buffer.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
            out.write_all(&pad[..indent])?;
        }
        out.write_all(line)?;
    }
    Ok(())
}

/// How many results share each fingerprint hash so far, for the `:n` suffix. Bounded:
/// past [`MAX_TRACKED_FINGERPRINTS`] distinct hashes a new one is not tracked and always
/// gets `:1`, so memory does not grow with the findings (past that many distinct findings,
/// identical ones may share a fingerprint).
#[derive(Default)]
struct Occurrences(HashMap<u64, u32>);

/// About 18 MB of table at most.
const MAX_TRACKED_FINGERPRINTS: usize = 1 << 19;

impl Occurrences {
    fn next(&mut self, hash: u64) -> u32 {
        if self.0.len() >= MAX_TRACKED_FINGERPRINTS && !self.0.contains_key(&hash) {
            return 1;
        }
        let occurrence = self.0.entry(hash).or_insert(0);
        *occurrence = occurrence.saturating_add(1);
        *occurrence
    }
}

/// Whether vft could check every file; the files it could not are notifications.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [ResultLocation; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrence_count: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<ResultLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u64>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &RuleMeta) -> Descriptor {
    let docs = rule.documentation();
    Descriptor {
        id: rule.code,
        name: rule.name,
        short_description: Text {
            text: rule.summary.to_owned(),
            markdown: None,
        },
        full_description: Text {
            text: section(&docs, "What it does").unwrap_or(rule.summary.to_owned()),
            markdown: None,
        },
        help: Text {
            text: docs.clone(),
            markdown: Some(docs),
        },
        default_configuration: Configuration {
            level: level(rule.default_severity),
        },
        properties: Properties {
            tags: [rule.category.as_str()],
        },
    }
}

/// The text of the Markdown section `## {title}`, on one line.
fn section(docs: &str, title: &str) -> Option<String> {
    let heading = format!("## {title}");
    let mut lines = docs.lines().skip_while(|l| l.trim() != heading).skip(1);
    let mut text = String::new();
    for line in lines.by_ref().take_while(|l| !l.starts_with("## ")) {
        let line = line.trim();
        if !line.is_empty() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(line);
        }
    }
    (!text.is_empty()).then_some(text)
}

/// The file as an artifact location: relative to `%SRCROOT%` when possible.
fn artifact(file: &str, base: Option<&Path>) -> ArtifactLocation {
    let path = super::paths::relative_path(file, base);
    if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode_uri(&path)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode_uri(&path),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// Percent-encodes what may not appear bare in a URI path (RFC 3986 `pchar` and `/`).
fn encode_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// 64-bit FNV-1a over the parts, each followed by a 0 byte so boundaries count.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.iter().chain(&[0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The line-independent identity of a finding (see the module docs).
fn fingerprint_hash(d: &Diagnostic, uri: &str) -> u64 {
    let pointer = d.location.pointer.as_ref().map_or("", |p| p.as_str());
    let content: String = match (&d.snippet, d.location.line) {
        (Some(snippet), Some(_)) => snippet
            .text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
        _ => String::new(),
    };
    fnv1a(&[
        d.rule.code.as_bytes(),
        uri.as_bytes(),
        pointer.as_bytes(),
        content.as_bytes(),
    ])
}

/// A grouped diagnostic's sampled lines after its own, as related locations (no column:
/// only the first line's is known).
fn related_locations(d: &Diagnostic, artifact: &ArtifactLocation) -> Vec<ResultLocation> {
    let Some(occurrences) = &d.occurrences else {
        return Vec::new();
    };
    occurrences
        .lines
        .iter()
        .filter(|&&line| Some(line) != d.location.line)
        .enumerate()
        .map(|(id, &start_line)| ResultLocation {
            id: Some(id + 1),
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: artifact.uri.clone(),
                    uri_base_id: artifact.uri_base_id,
                },
                region: Some(Region {
                    start_line,
                    start_column: None,
                }),
            },
            message: Some(Text {
                text: "also here".to_owned(),
                markdown: None,
            }),
        })
        .collect()
}

impl Emitter for SarifEmitter<'_> {
    fn emit(&mut self, d: &Diagnostic) -> io::Result<()> {
        let artifact_location = artifact(&d.location.file, self.base.as_deref());
        let hash = fingerprint_hash(d, &artifact_location.uri);
        let occurrence = self.occurrences.next(hash);
        let mut text = d.full_message().into_owned();
        if let Some(help) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        let result = SarifResult {
            rule_id: d.rule.code,
            rule_index: d.rule.id.index(),
            level: level(d.severity),
            message: Text {
                text,
                markdown: None,
            },
            related_locations: related_locations(d, &artifact_location),
            occurrence_count: d.occurrences.as_ref().map(|o| o.count),
            locations: [ResultLocation {
                id: None,
                physical_location: PhysicalLocation {
                    artifact_location,
                    region: d.location.line.map(|start_line| Region {
                        start_line,
                        start_column: d.location.column,
                    }),
                },
                message: None,
            }],
            partial_fingerprints: BTreeMap::from([(
                FINGERPRINT_KEY,
                format!("{hash:016x}:{occurrence}"),
            )]),
        };
        self.write_head()?;
        let separator: &[u8] = if self.written == 0 { b"\n" } else { b",\n" };
        self.out.write_all(separator)?;
        self.out.write_all(&[b' '; RESULT_INDENT])?;
        write_indented(&mut self.out, &mut self.buffer, &result, RESULT_INDENT)?;
        self.written += 1;
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.write_head()?;
        if self.written > 0 {
            self.out.write_all(b"\n")?;
            self.out.write_all(&[b' '; RUN_FIELD_INDENT])?;
        }
        let invocations = [Invocation {
            execution_successful: summary.failures.is_empty(),
            tool_execution_notifications: summary
                .failures
                .iter()
                .map(|failure| Notification {
                    level: "error",
                    message: Text {
                        text: failure.clone(),
                        markdown: None,
                    },
                })
                .collect(),
        }];
        self.out.write_all(b"],\n      \"invocations\": ")?;
        write_indented(
            &mut self.out,
            &mut self.buffer,
            &invocations,
            RUN_FIELD_INDENT,
        )?;
        self.out
            .write_all(b",\n      \"columnKind\": \"unicodeCodePoints\"\n    }\n  ]\n}\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        let base = Path::new("/repo");
        let a = artifact("/repo/data/my file#1.jsonl", Some(base));
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("data/my%20file%231.jsonl", Some(SRCROOT))
        );
        let a = artifact("/other/x.jsonl", Some(base));
        assert_eq!(
            (a.uri.as_str(), a.uri_base_id),
            ("file:///other/x.jsonl", None)
        );
    }

    #[test]
    fn sections_are_read_from_the_docs() {
        let docs = "## What it does\nChecks a\nthing.\n\n## Why is this bad?\nIt is.\n";
        assert_eq!(section(docs, "What it does").unwrap(), "Checks a thing.");
        assert_eq!(section(docs, "Why is this bad?").unwrap(), "It is.");
        assert_eq!(section(docs, "Example"), None);
    }
}
