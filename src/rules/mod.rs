//! The rules: one file per rule under a category folder, its documentation the doc
//! comment of its `declare_rule!` (what it does, why, an example, how to fix, source).
//!
//! - [`rule`]: what a rule is ([`Rule`], [`Check`], [`Report`]) and `declare_rule!`;
//! - [`subject`]: what each kind of check looks at;
//! - [`registry`]: every rule, numbered; [`plan`]: which run, at what severity.
//!
//! `tests/registry.rs` holds the registry's invariants; `tests/rules.rs` runs each rule's
//! fixtures (`fixtures/rules/<CODE>-<name>/`) as a test of its own.

pub mod content;
pub mod file;
pub mod input;
pub mod media;
pub mod plan;
pub mod registry;
pub mod rule;
pub mod schema;
pub mod subject;

pub use crate::diagnostic::Category;
pub use plan::RulePlan;
pub use registry::{REGISTRY, find, get};
pub use rule::{Check, Finding, Position, Report, Rule};
pub use subject::{ExampleContext, FileFacts, ImageOrigin, ImageView, LineEvent, UrlEvent};
