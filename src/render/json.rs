//! `--format json`: JSON Lines, a public contract documented in the README.
//!
//! ```text
//! {"type":"diagnostic","code":"VFT202","name":"invalid-image-detail","severity":"error","message":"…","help":"…","location":{"file":"train.jsonl","line":3,"column":145,"pointer":"/messages/1/content/0/image_url/detail"}}
//! {"type":"summary","schema_version":1,"files":1,"examples":12,…}
//! ```

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::forecast::Forecast;
use crate::input::JsonPointer;
use crate::method::Method;
use crate::render::emitter::Emitter;
use crate::summary::{RuleCounts, Summary};
use crate::tokens::TokenSummary;

/// Bumped when a field changes meaning or disappears; adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

pub struct JsonEmitter<'w> {
    out: Box<dyn Write + 'w>,
}

impl<'w> JsonEmitter<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        Self { out }
    }
}

#[derive(Serialize)]
struct DiagnosticRecord<'d> {
    r#type: &'static str,
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'d str,
    help: Option<&'d str>,
    location: LocationRecord<'d>,
    /// Only on a grouped info diagnostic: the findings it stands for, and their first
    /// lines (README, JSON contract).
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrences: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrence_lines: Option<&'d [u64]>,
}

#[derive(Serialize)]
struct LocationRecord<'d> {
    file: &'d str,
    line: Option<u64>,
    column: Option<u64>,
    pointer: Option<&'d str>,
}

#[derive(Serialize)]
struct SummaryRecord<'s> {
    r#type: &'static str,
    schema_version: u32,
    files: u64,
    examples: u64,
    examples_with_images: u64,
    images: u64,
    errors: u64,
    warnings: u64,
    infos: u64,
    rules: &'s RuleCounts,
    /// Findings counted but not written (`--max-per-rule`, `--max-diagnostics`).
    hidden: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<&'s TokenSummary>,
    /// Why `tokens` is absent although examples were counted (a run with RFT files).
    cost_note: Option<&'s str>,
    /// What will train once the platform has skipped images (README, JSON contract).
    forecast: &'s Forecast,
    /// The training method of every file, `null` when the files differ (see `methods`).
    method: Option<Method>,
    /// Each file and the method it was checked as, in order.
    methods: Vec<FileMethod<'s>>,
}

#[derive(Serialize)]
struct FileMethod<'s> {
    file: &'s str,
    method: Method,
}

impl Emitter for JsonEmitter<'_> {
    fn emit(&mut self, d: &Diagnostic) -> io::Result<()> {
        let record = DiagnosticRecord {
            r#type: "diagnostic",
            code: d.rule.code,
            name: d.rule.name,
            severity: d.severity,
            message: &d.full_message(),
            help: d.help.as_deref(),
            location: LocationRecord {
                file: &d.location.file,
                line: d.location.line,
                column: d.location.column,
                pointer: d.location.pointer.as_ref().map(JsonPointer::as_str),
            },
            occurrences: d.occurrences.as_ref().map(|o| o.count),
            occurrence_lines: d.occurrences.as_ref().map(|o| o.lines.as_slice()),
        };
        serde_json::to_writer(&mut self.out, &record)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let record = SummaryRecord {
            r#type: "summary",
            schema_version: SCHEMA_VERSION,
            files: s.files,
            examples: s.examples,
            examples_with_images: s.examples_with_images,
            images: s.images,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
            rules: &s.rules,
            hidden: s.hidden,
            tokens: s.tokens.as_ref(),
            cost_note: s.cost_note,
            forecast: &s.forecast,
            method: s.method(),
            methods: s
                .methods
                .iter()
                .map(|(file, method)| FileMethod {
                    file,
                    method: *method,
                })
                .collect(),
        };
        serde_json::to_writer(&mut self.out, &record)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
