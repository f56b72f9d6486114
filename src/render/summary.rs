//! The closing summary the text formats share (human, concise, github).

use std::io::{self, Write};

use crate::numbers::{count, thousands};
use crate::summary::Summary;

/// The closing summary of the text formats: totals, then findings per rule.
pub(crate) fn write_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    let files = count(s.files, "file", "files");
    let examples = count(s.examples, "example", "examples");
    let images = count(s.images, "image", "images");
    let methods = method_counts(s);
    writeln!(
        out,
        "Checked {files}{methods}: {examples}, {} with images, {images}",
        thousands(s.examples_with_images)
    )?;
    if let Some(tokens) = &s.tokens {
        writeln!(out, "{}", tokens.headline())?;
    }
    if let Some(note) = s.cost_note {
        writeln!(out, "Tokens: {note}")?;
    }
    if s.examples > 0 {
        super::forecast::write_forecast(out, &s.forecast)?;
    }
    // A file vft could not read (or URLs it could not verify) is not a clean result.
    for failure in &s.failures {
        writeln!(out, "Could not check: {failure}")?;
    }
    if s.rules.is_empty() {
        return match (s.failures.is_empty(), s.files) {
            (true, _) => writeln!(out, "No problems found"),
            (false, 0) => Ok(()),
            (false, _) => writeln!(out, "No problems found in what could be checked"),
        };
    }
    let errors = count(s.errors, "error", "errors");
    let warnings = count(s.warnings, "warning", "warnings");
    writeln!(
        out,
        "Found {errors}, {warnings}, {} info",
        thousands(s.infos)
    )?;
    let width = s.rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for rule in s.rules.iter() {
        writeln!(
            out,
            "  {} {:<width$}  {:>7} {}",
            rule.code,
            rule.name,
            thousands(rule.count),
            rule.severity
        )?;
    }
    if s.hidden > 0 {
        writeln!(
            out,
            "{} not shown (--max-per-rule, --max-diagnostics; 0 shows all)",
            count(s.hidden, "finding", "findings"),
        )?;
    }
    Ok(())
}

/// The training methods the files were checked as: " (SFT)", or " (SFT 2, DPO 1)" when
/// they differ; empty when no file was checked.
fn method_counts(s: &Summary) -> String {
    if let Some(method) = s.method() {
        return format!(" ({})", method.name().to_ascii_uppercase());
    }
    let counts: Vec<String> = crate::method::Method::ALL
        .iter()
        .filter_map(|&method| {
            let n = s.methods.iter().filter(|(_, m)| *m == method).count();
            (n > 0).then(|| {
                format!(
                    "{} {}",
                    method.name().to_ascii_uppercase(),
                    thousands(n as u64)
                )
            })
        })
        .collect();
    if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    }
}
