//! The closing summary the text formats share (human, concise, github).

use std::io::{self, Write};

use crate::summary::Summary;

/// The closing summary of the text formats: totals, then findings per rule.
pub(crate) fn write_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    let files = plural(s.files, "file", "files");
    let examples = plural(s.examples, "example", "examples");
    let images = plural(s.images, "image", "images");
    let methods = method_counts(s);
    writeln!(
        out,
        "Checked {files}{methods}: {examples}, {} with images, {images}",
        s.examples_with_images
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
    if s.rules.is_empty() {
        return writeln!(out, "No problems found");
    }
    let errors = plural(s.errors, "error", "errors");
    let warnings = plural(s.warnings, "warning", "warnings");
    writeln!(out, "Found {errors}, {warnings}, {} info", s.infos)?;
    let width = s.rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for rule in s.rules.iter() {
        writeln!(
            out,
            "  {} {:<width$}  {:>7} {}",
            rule.code, rule.name, rule.count, rule.severity
        )?;
    }
    if s.hidden > 0 {
        writeln!(
            out,
            "{} not shown (--max-per-rule, --max-diagnostics; 0 shows all)",
            plural(s.hidden, "finding", "findings"),
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
            (n > 0).then(|| format!("{} {n}", method.name().to_ascii_uppercase()))
        })
        .collect();
    if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    }
}

pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
