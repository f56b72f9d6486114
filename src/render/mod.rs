//! Output formats. Each is one small module behind [`Emitter`]; the diagnostic model knows
//! nothing of them.

use std::io::{self, Write};

use clap::ValueEnum;

use crate::diagnostic::{Diagnostic, Summary};

pub mod human;
pub mod json;

/// Receives diagnostics in input order, then the summary.
pub trait Emitter {
    fn emit(&mut self, diagnostic: &Diagnostic) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Diagnostics with the offending line and the value underlined, then a summary.
    #[default]
    Human,
    /// JSON Lines: one object per diagnostic, then a summary object (a stable contract).
    Json,
}

/// The emitter for `format`, writing to `out`.
pub fn emitter<'w>(
    format: OutputFormat,
    out: Box<dyn Write + 'w>,
    color: bool,
) -> Box<dyn Emitter + 'w> {
    match format {
        OutputFormat::Human => Box::new(human::HumanEmitter::new(out, color)),
        OutputFormat::Json => Box::new(json::JsonEmitter::new(out)),
    }
}
