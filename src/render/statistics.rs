//! `--statistics`: instead of the diagnostics, a count per rule, most frequent first
//! (as `ruff check --statistics`); with `--format json`, one JSON array of
//! `{"code","name","severity","count"}`.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::render::emitter::Emitter;
use crate::summary::Summary;

pub struct StatisticsEmitter<'w> {
    out: Box<dyn Write + 'w>,
    json: bool,
}

impl<'w> StatisticsEmitter<'w> {
    pub fn new(out: Box<dyn Write + 'w>, json: bool) -> Self {
        Self { out, json }
    }
}

#[derive(Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    count: u64,
}

impl Emitter for StatisticsEmitter<'_> {
    fn emit(&mut self, _diagnostic: &Diagnostic) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let mut rows: Vec<Row> = summary
            .rules
            .iter()
            .map(|rule| Row {
                code: rule.code,
                name: rule.name,
                severity: rule.severity,
                count: rule.count,
            })
            .collect();
        // Most frequent first; the code breaks ties, so the order is stable.
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
        if self.json {
            serde_json::to_writer(&mut self.out, &rows)?;
            self.out.write_all(b"\n")?;
        } else {
            let count_width = rows.first().map_or(1, |r| r.count.to_string().len());
            let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for row in &rows {
                writeln!(
                    self.out,
                    "{:>count_width$}  {}  {:<name_width$}  {}",
                    row.count, row.code, row.name, row.severity
                )?;
            }
        }
        self.out.flush()
    }
}
