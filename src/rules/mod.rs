//! The rule registry and the context rules report through.
//!
//! Each rule lives in its own file under a category folder, with its documentation as the
//! doc comment of its `declare_rule!` (what it does, why, an example, how to fix, source).
//! [`REGISTRY`] lists them all; `tests/registry.rs` holds the invariants.

use std::fmt;

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::example::{Example, ImageView};
use crate::input::{JsonPointer, SpanTarget};
use crate::target::{Limits, Target};

pub mod content;
pub mod file;
pub mod input;
pub mod media;
pub mod schema;

/// A rule: identity, documentation and check.
pub struct Rule {
    /// Stable code, `VFT` and three digits; the hundreds digit is the category.
    pub code: &'static str,
    /// Kebab-case name of the problem it finds.
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// One line for `vft rules` and SARIF's short description.
    pub summary: &'static str,
    /// Markdown documentation (the rule's doc comment).
    pub docs: &'static str,
    pub check: Check,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

impl Rule {
    /// The docs with the one leading space of each doc-comment line removed.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// What a rule looks at, and so when the engine runs it.
pub enum Check {
    /// Found while reading and parsing a line (the engine asks the rule's file for the
    /// message; such a line gets no other per-line finding).
    Line,
    /// Run on every line that parsed as a JSON object.
    Example(fn(&Example<'_>, &mut Report<'_>)),
    /// Run on every image whose bytes vft has: each valid data URI, and each fetched URL
    /// (after the fetch, with the URL named in the message).
    Image(fn(&ImageView<'_>, &mut Report<'_>)),
    /// Found while checking or fetching an image URL (the engine asks the rule's file for
    /// the message).
    Url,
    /// Run once per file, on the totals.
    File(fn(&FileFacts, &mut Report<'_>)),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Input and parsing (VFT0xx).
    Input,
    /// Example structure: keys, types, roles (VFT1xx).
    Schema,
    /// Images and their sources (VFT2xx).
    Media,
    /// Conversation content (VFT3xx).
    Content,
    /// Whole-file limits (VFT4xx).
    File,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Input => "input",
            Category::Schema => "schema",
            Category::Media => "media",
            Category::Content => "content",
            Category::File => "file",
        }
    }
}

/// Totals for one file, for file-level rules.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub target: Target,
    /// Bytes read, BOM and newlines included.
    pub bytes: u64,
    /// Non-blank lines.
    pub examples: u64,
    pub examples_with_images: u64,
    pub images: u64,
    /// http(s) image URLs this run did not fetch (`--offline`).
    pub url_images: u64,
    /// Lines of the examples with an image the platform will skip, in order.
    pub skipped_image_lines: Vec<u64>,
    pub has_bom: bool,
}

/// Where in the line a finding points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// A value (or key) in the line's JSON.
    Pointer(JsonPointer, SpanTarget),
    /// A byte offset in the line (parse errors, invalid UTF-8).
    Byte(usize),
    /// The whole line.
    Line,
    /// The whole file.
    File,
}

/// What a rule reports: located later, by the engine, against the raw line.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub position: Position,
}

/// The effective rule set: which rules run, at what severity.
#[derive(Debug, Clone)]
pub struct RulePlan {
    severities: Vec<Option<Severity>>,
    /// Limits the configuration tightened.
    pub limits: Limits,
}

impl RulePlan {
    /// Every rule at its default severity.
    pub fn all() -> Self {
        Self::from_severities(REGISTRY.iter().map(|r| Some(r.default_severity)).collect())
    }

    /// Each rule of [`REGISTRY`] (in its order) at a severity, or off (`None`).
    pub fn from_severities(severities: Vec<Option<Severity>>) -> Self {
        assert_eq!(severities.len(), REGISTRY.len(), "one severity per rule");
        Self {
            severities,
            limits: Limits::default(),
        }
    }

    /// Only the rules whose code is in `codes` (the fixture tests use this).
    pub fn only(codes: &[&str]) -> Self {
        Self::from_severities(
            REGISTRY
                .iter()
                .map(|r| codes.contains(&r.code).then_some(r.default_severity))
                .collect(),
        )
    }

    /// The rule's effective severity, or `None` when it is off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        let index = REGISTRY.iter().position(|r| std::ptr::eq(*r, rule))?;
        self.severities[index]
    }

    pub fn enabled(&self) -> impl Iterator<Item = (&'static Rule, Severity)> + '_ {
        REGISTRY
            .iter()
            .zip(&self.severities)
            .filter_map(|(r, s)| Some((*r, (*s)?)))
    }

    /// A finding of `rule`, unless the rule is off.
    pub fn finding(
        &self,
        rule: &'static Rule,
        message: String,
        position: Position,
    ) -> Option<Finding> {
        let severity = self.severity(rule)?;
        Some(Finding {
            rule,
            severity,
            message,
            help: None,
            position,
        })
    }
}

/// The context a rule reports through.
pub struct Report<'r> {
    rule: &'static Rule,
    severity: Severity,
    target: Target,
    limits: Limits,
    out: &'r mut Vec<Finding>,
}

impl<'r> Report<'r> {
    pub fn new(
        rule: &'static Rule,
        severity: Severity,
        target: Target,
        out: &'r mut Vec<Finding>,
    ) -> Self {
        Self {
            rule,
            severity,
            target,
            limits: Limits::default(),
            out,
        }
    }

    /// Applies the limits the configuration tightened (the platform's by default).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// The effective limits: the platform's, or stricter ones from the configuration.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Reports the value at `pointer`; chain `.with_help(…)` on the result.
    pub fn at(&mut self, pointer: JsonPointer, message: impl Into<String>) -> &mut Finding {
        self.push(
            Position::Pointer(pointer, SpanTarget::Value),
            message.into(),
        )
    }

    /// Reports the key of the member at `pointer`.
    pub fn at_key(&mut self, pointer: JsonPointer, message: impl Into<String>) -> &mut Finding {
        self.push(Position::Pointer(pointer, SpanTarget::Key), message.into())
    }

    /// Reports the whole file.
    pub fn file(&mut self, message: impl Into<String>) -> &mut Finding {
        self.push(Position::File, message.into())
    }

    fn push(&mut self, position: Position, message: String) -> &mut Finding {
        self.out.push(Finding {
            rule: self.rule,
            severity: self.severity,
            message,
            help: None,
            position,
        });
        self.out.last_mut().expect("just pushed")
    }
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
}

/// Declares a rule: its doc comment is its documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        code: $code:literal,
        name: $name:literal,
        category: $category:ident,
        severity: $severity:ident,
        summary: $summary:literal,
        check: $check:expr $(,)?
    ) => {
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            category: $crate::rules::Category::$category,
            default_severity: $crate::diagnostic::Severity::$severity,
            summary: $summary,
            docs: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in code order.
pub static REGISTRY: &[&Rule] = &[
    &input::invalid_utf8::RULE,
    &input::invalid_json::RULE,
    &input::example_not_object::RULE,
    &input::blank_line::RULE,
    &input::crlf_line_ending::RULE,
    &input::unexpected_byte_order_mark::RULE,
    &input::missing_byte_order_mark::RULE,
    &input::duplicate_key::RULE,
    &input::line_too_long::RULE,
    &schema::missing_messages::RULE,
    &schema::empty_messages::RULE,
    &schema::unknown_field::RULE,
    &schema::wrong_field_type::RULE,
    &schema::missing_field::RULE,
    &schema::unknown_role::RULE,
    &schema::developer_role::RULE,
    &schema::unknown_content_part_type::RULE,
    &schema::content_part_not_allowed::RULE,
    &schema::unsupported_modality::RULE,
    &schema::empty_content_array::RULE,
    &schema::unsupported_tool_type::RULE,
    &schema::invalid_function_name::RULE,
    &media::image_outside_user_message::RULE,
    &media::invalid_image_detail::RULE,
    &media::unsupported_image_url::RULE,
    &media::malformed_data_uri::RULE,
    &media::invalid_base64::RULE,
    &media::image_too_large::RULE,
    &media::image_size_ambiguous::RULE,
    &media::too_many_images::RULE,
    &media::image_count_disputed::RULE,
    &media::unverified_image_urls::RULE,
    &media::unsupported_image_format::RULE,
    &media::image_mime_mismatch::RULE,
    &media::unsupported_color_mode::RULE,
    &media::corrupt_image::RULE,
    &media::animated_image::RULE,
    &media::image_too_many_pixels::RULE,
    &media::inaccessible_image_url::RULE,
    &media::private_image_url::RULE,
    &content::missing_assistant_message::RULE,
    &content::last_message_not_assistant::RULE,
    &content::invalid_weight::RULE,
    &content::weight_outside_assistant::RULE,
    &content::all_weights_zero::RULE,
    &content::unmatched_tool_call_id::RULE,
    &content::array_content_in_reply::RULE,
    &content::missing_system_message::RULE,
    &content::missing_user_message::RULE,
    &content::example_over_token_limit::RULE,
    &content::assistant_beyond_token_limit::RULE,
    &content::special_token_in_text::RULE,
    &file::too_few_examples::RULE,
    &file::too_many_image_examples::RULE,
    &file::file_too_large::RULE,
    &file::file_too_large_for_simple_upload::RULE,
    &file::too_many_skipped_image_examples::RULE,
];

/// Looks a rule up by code (`VFT101`, any case) or name (`missing-messages`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    REGISTRY
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}
