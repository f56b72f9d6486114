//! `--format concise`: one line per diagnostic, for editors, grep and logs.
//!
//! ```text
//! train.jsonl:3:298: VFT202 [error] image detail `medium` is not `low`, `high` or `auto`
//! train.jsonl: VFT401 [error] file has 3 example(s), but must have at least 10
//! ```
//!
//! Findings about a whole file have no line or column. The summary of the human format
//! closes the output.

use std::io::{self, Write};

use crate::diagnostic::Diagnostic;
use crate::render::emitter::Emitter;
use crate::render::escape::escape_controls;
use crate::summary::Summary;

pub struct ConciseEmitter<'w> {
    out: Box<dyn Write + 'w>,
}

impl<'w> ConciseEmitter<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        Self { out }
    }
}

/// `file:line:col: CODE [severity] message`, without a newline; control characters in the
/// file name and message are escaped, so a value cannot end the line or forge another.
pub fn line(d: &Diagnostic) -> String {
    let l = &d.location;
    let position = match (l.line, l.column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    };
    format!(
        "{}{position}: {} [{}] {}",
        escape_controls(&l.file),
        d.rule.code,
        d.severity,
        escape_controls(&d.full_message())
    )
}

impl Emitter for ConciseEmitter<'_> {
    fn emit(&mut self, diagnostic: &Diagnostic) -> io::Result<()> {
        writeln!(self.out, "{}", line(diagnostic))
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        super::summary::write_summary(&mut self.out, summary)?;
        self.out.flush()
    }
}
