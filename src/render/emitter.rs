//! The interface every output format implements.

use std::io;

use crate::diagnostic::Diagnostic;
use crate::summary::Summary;

/// Receives diagnostics in input order, then the summary.
pub trait Emitter {
    fn emit(&mut self, diagnostic: &Diagnostic) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}
