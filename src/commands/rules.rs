//! `vft rules`: every rule, one line each (or one JSON object each).

use std::io::{self, BufWriter, Write};

use crate::cli::{RulesArgs, TableFormat};
use crate::diagnostic::Applicability;
use crate::exit::ExitStatus;
use crate::rules::REGISTRY;

pub fn run(args: &RulesArgs) -> io::Result<ExitStatus> {
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        TableFormat::Human => {
            for line in table() {
                writeln!(out, "{line}")?;
            }
        }
        TableFormat::Json => {
            for rule in REGISTRY {
                let record = serde_json::json!({
                    "code": rule.code,
                    "name": rule.name,
                    "severity": rule.default_severity,
                    "category": rule.category,
                    "fix": rule.fix.map(Applicability::as_str),
                    "summary": rule.summary,
                });
                writeln!(out, "{record}")?;
            }
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The human table: code, name, severity, category, fix (`safe`, `unsafe`, or `-` for
/// none: `vft fix`) and summary, each column as wide as its widest value (`Display` of a
/// severity ignores padding, so its text is padded).
fn table() -> Vec<String> {
    let name = REGISTRY.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let severity = REGISTRY
        .iter()
        .map(|r| r.default_severity.as_str().len())
        .max()
        .unwrap_or(0);
    let category = REGISTRY
        .iter()
        .map(|r| r.category.as_str().len())
        .max()
        .unwrap_or(0);
    REGISTRY
        .iter()
        .map(|rule| {
            format!(
                "{}  {:<name$}  {:<severity$}  {:<category$}  {:<6}  {}",
                rule.code,
                rule.name,
                rule.default_severity.as_str(),
                rule.category.as_str(),
                rule.fix.map_or("-", Applicability::as_str),
                rule.summary
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up() {
        let lines = super::table();
        // Each column starts at the same character on every line.
        let starts = |line: &str| -> Vec<usize> {
            let mut starts = Vec::new();
            let mut previous = ' ';
            for (i, c) in line.chars().enumerate() {
                if c != ' ' && previous == ' ' && starts.len() < 6 {
                    starts.push(i);
                }
                previous = c;
            }
            starts
        };
        let first = starts(&lines[0]);
        assert_eq!(first.len(), 6);
        for line in &lines {
            assert_eq!(starts(line), first, "{line}");
        }
    }
}
