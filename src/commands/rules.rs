//! `vft rules`: every rule, one line each (or one JSON object each).

use std::io::{self, BufWriter, Write};

use crate::cli::{RulesArgs, TableFormat};
use crate::diagnostic::Applicability;
use crate::exit::ExitStatus;
use crate::rules::REGISTRY;

pub fn run(args: &RulesArgs) -> io::Result<ExitStatus> {
    let mut out = BufWriter::new(io::stdout().lock());
    for rule in REGISTRY {
        match args.format {
            TableFormat::Human => writeln!(
                out,
                "{}  {:<33} {:<8} {:<8} {:<6} {}",
                rule.code,
                rule.name,
                rule.default_severity,
                rule.category.as_str(),
                rule.fix.map_or("", |fix| fix.as_str()),
                rule.summary
            )?,
            TableFormat::Json => {
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
