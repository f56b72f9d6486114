//! Reading the input: streaming lines, and locating values in them.

mod mapped;
pub mod pointer;
pub mod reader;

pub use pointer::{JsonPointer, SpanTarget};
pub use reader::{Batch, BatchLimits, BatchReader, RawLine, Special};
