//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use vft::diagnostic::Diagnostic;
use vft::engine::{Engine, Options, Output};
use vft::render::Emitter;
use vft::rules::RulePlan;
use vft::summary::Summary;
use vft::target::Target;

/// Keeps every diagnostic.
#[derive(Default)]
pub struct Collect(pub Vec<Diagnostic>);

impl Emitter for Collect {
    fn emit(&mut self, diagnostic: &Diagnostic) -> io::Result<()> {
        self.0.push(diagnostic.clone());
        Ok(())
    }
    fn finish(&mut self, _: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// Checks `path` as `vft check` would, with `plan`, and returns the diagnostics; the file
/// is named by its path relative to the repository.
pub fn check_file(
    path: &Path,
    target: Target,
    plan: RulePlan,
    threads: usize,
) -> (Vec<Diagnostic>, Summary) {
    let options = Options {
        plan,
        ..Options::new(target)
    };
    check_file_with(path, &options, threads)
}

/// [`check_file`] with any [`Options`] (`--deep`, limits).
pub fn check_file_with(
    path: &Path,
    options: &Options,
    threads: usize,
) -> (Vec<Diagnostic>, Summary) {
    let name: Arc<str> = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
        .into();
    let engine = Engine::new(options.clone(), threads).unwrap();
    let mut collect = Collect::default();
    let mut summary = Summary::default();
    let file = File::open(path).unwrap();
    let mut out = Output {
        emitter: &mut collect,
        summary: &mut summary,
        observe: &mut |_| {},
    };
    assert!(engine.check_stream(file, &name, &mut out).is_ok());
    (collect.0, summary)
}

/// One line per diagnostic: `file:line:col: CODE [severity] message (pointer)`.
pub fn concise(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let l = &d.location;
        let position = match (l.line, l.column) {
            (Some(line), Some(column)) => format!(":{line}:{column}"),
            (Some(line), None) => format!(":{line}"),
            _ => String::new(),
        };
        let pointer = l
            .pointer
            .as_ref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}{position}: {} [{}] {}{pointer}",
            l.file,
            d.rule.code,
            d.severity,
            d.full_message()
        )
        .unwrap();
        if let Some(help) = &d.help {
            writeln!(out, "    help: {help}").unwrap();
        }
    }
    out
}

pub fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A `vft check --format json` run's exit code, diagnostics and summary record.
pub fn json_records(
    output: &std::process::Output,
) -> (i32, Vec<serde_json::Value>, serde_json::Value) {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let mut records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = records.pop().expect("a summary line");
    assert_eq!(summary["type"], "summary");
    (output.status.code().unwrap(), records, summary)
}
