//! The diagnostic model: plain data that rules produce and renderers print, and the rule
//! metadata it names. A leaf: it knows nothing of checks, examples, tokens or renderers.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use clap::ValueEnum;
use serde::Serialize;

use crate::input::JsonPointer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's index in the registry: per-rule severities and counts are arrays indexed by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub u16);

impl RuleId {
    /// Before the registry numbers a rule.
    pub const UNNUMBERED: RuleId = RuleId(u16::MAX);

    pub fn index(self) -> usize {
        usize::from(self.0)
    }
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

/// What the platform does with what a rule finds, beyond the finding itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more than the finding says.
    None,
    /// The platform skips the image, and so trains the example without it (this feeds
    /// `too-many-skipped-image-examples` and the training-set forecast).
    SkipsImage(SkipReason),
    /// The platform probably skips the image: a prediction (a detected face), counted
    /// apart from the certain skips in the forecast and the Azure threshold.
    MaySkipImage(SkipReason),
}

impl Effect {
    /// The reason an image is skipped, and whether the skip is certain; `None` when the
    /// image is not skipped.
    pub fn skip(self) -> Option<(SkipReason, Certainty)> {
        match self {
            Effect::None => None,
            Effect::SkipsImage(reason) => Some((reason, Certainty::Certain)),
            Effect::MaySkipImage(reason) => Some((reason, Certainty::Probable)),
        }
    }
}

/// Why the platform skips an image: the groups of the training-set forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// The bytes are no JPEG, PNG or WEBP, or are corrupt.
    Format,
    /// Not RGB or RGBA.
    Mode,
    /// Over the byte or pixel limit.
    Size,
    /// The URL gives no image (fetch failure, private address).
    Url,
    /// The image shows a face (content screening).
    Face,
}

impl SkipReason {
    pub const ALL: [SkipReason; 5] = [
        SkipReason::Format,
        SkipReason::Mode,
        SkipReason::Size,
        SkipReason::Url,
        SkipReason::Face,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Format => "format",
            SkipReason::Mode => "mode",
            SkipReason::Size => "size",
            SkipReason::Url => "url",
            SkipReason::Face => "face",
        }
    }
}

/// Whether a skip is certain (the platform's documented checks) or a prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// Stronger: sorts first, so one image's certain skip wins over a probable one.
    Certain,
    Probable,
}

/// Whether `vft fix` applies a rule's fix by default, as ruff's applicability: a safe fix
/// keeps what the file means (a BOM, a line ending, a `null` key, a colour mode), an unsafe
/// one may change what the model sees (a downscaled image, an animation cut to one frame)
/// and runs only with `--unsafe-fixes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// What `vft fix` does about one finding: plain data, cheap to make while checking. The
/// fixer turns it into edits of the line's bytes; image repairs decode only then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixAction {
    /// Leave the line out (a blank line).
    DropLine,
    /// End every line of the file with `\n` alone.
    StripCarriageReturns,
    /// Write the file without its byte-order mark.
    RemoveByteOrderMark,
    /// Write the file with a byte-order mark.
    AddByteOrderMark,
    /// Remove these object members (pointers to the members' values).
    RemoveMembers(Vec<JsonPointer>),
    /// Replace the value at the pointer with this JSON text.
    ReplaceValue(JsonPointer, String),
    /// Give the data URI at the pointer this media type, keeping its payload.
    RelabelImage(JsonPointer, &'static str),
    /// Re-encode the data-URI image at the pointer as one the platform takes (format,
    /// colour mode, one frame, size).
    RepairImage(JsonPointer),
}

/// A rule's identity and documentation: what diagnostics, renderers and the configuration
/// need to know of it, without its check.
#[derive(Debug)]
pub struct RuleMeta {
    /// Its place in the registry (set by the registry).
    pub id: RuleId,
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
    pub effect: Effect,
    /// Whether `vft fix` can fix what it finds, and how safely; `None`: no fix.
    pub fix: Option<Applicability>,
}

impl RuleMeta {
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

/// One finding, located and ready to render.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    /// The effective severity (the rule's default unless configured otherwise).
    pub severity: Severity,
    /// What is wrong, naming the value: lowercase, no trailing period, values in backticks.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    pub location: Location,
    /// A window of the offending line, for human output; never a whole multi-MB line.
    pub snippet: Option<Snippet>,
    /// The image URL whose fetched body the finding is about (renderers name it before
    /// the message); `None` for findings about the line itself.
    pub image_url: Option<Box<str>>,
    /// What `vft fix` would do about it (rules with a fix only).
    pub fix: Option<FixAction>,
    /// Set when this one diagnostic stands for a rule's info findings on many lines of
    /// its file (info is grouped per file unless `--info-per-line`).
    pub occurrences: Option<Occurrences>,
}

/// How many findings a grouped diagnostic stands for, and the first lines they are on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrences {
    /// Findings, each counted (the summary counts them all).
    pub count: u64,
    /// The first distinct lines, in order, the diagnostic's own first (at most five).
    pub lines: Vec<u64>,
}

impl Diagnostic {
    /// The findings this diagnostic stands for: 1, or a group's count.
    pub fn count(&self) -> u64 {
        self.occurrences.as_ref().map_or(1, |o| o.count)
    }

    /// The message as shown: prefixed with the image URL it is about, if any.
    pub fn full_message(&self) -> Cow<'_, str> {
        match &self.image_url {
            Some(url) => Cow::Owned(format!("image URL `{}`: {}", short_url(url), self.message)),
            None => Cow::Borrowed(&self.message),
        }
    }
}

/// URLs longer than this are cut in messages (signed URLs run to kilobytes).
const MAX_URL_IN_MESSAGE: usize = 120;

/// A URL as shown in a message: cut with `…` when long.
pub fn short_url(url: &str) -> String {
    if url.chars().count() <= MAX_URL_IN_MESSAGE {
        return url.to_owned();
    }
    let mut short: String = url.chars().take(MAX_URL_IN_MESSAGE - 1).collect();
    short.push('…');
    short
}

/// Where a finding is: file, 1-based line and column, and the JSON pointer of the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as the user gave it (`-` is shown as `<stdin>`).
    pub file: Arc<str>,
    /// 1-based line; `None` for findings about the whole file.
    pub line: Option<u64>,
    /// 1-based column in Unicode code points; `None` when no position in the line applies.
    pub column: Option<u64>,
    /// RFC 6901 pointer of the offending value within the line's JSON.
    pub pointer: Option<JsonPointer>,
}

/// A short excerpt of the offending line with the span to underline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Byte range within `text` to underline.
    pub span: Range<usize>,
}

/// Lines up to this many bytes are shown whole; longer ones as a window around the span.
const SNIPPET_WHOLE_LINE: usize = 160;
/// Bytes kept before the span's start, and at most after it, in a window.
const SNIPPET_BEFORE: usize = 60;
const SNIPPET_AFTER: usize = 100;

impl Snippet {
    /// An excerpt of `line` around `span` (byte offsets into `line`).
    pub fn around(line: &str, span: Range<usize>) -> Self {
        if line.len() <= SNIPPET_WHOLE_LINE {
            return Self {
                text: line.to_owned(),
                span,
            };
        }
        let start = floor_char_boundary(line, span.start.saturating_sub(SNIPPET_BEFORE));
        let end = floor_char_boundary(line, (span.start + SNIPPET_AFTER).min(line.len()));
        let mut text = String::with_capacity(end - start + 6);
        if start > 0 {
            text.push('…');
        }
        let shift = text.len();
        text.push_str(&line[start..end]);
        let span_start = span.start - start + shift;
        let span_end = span.end.min(end) - start + shift;
        if end < line.len() {
            text.push('…');
        }
        Self {
            text,
            span: span_start..span_end.max(span_start),
        }
    }
}

/// The largest char boundary at or below `at` (`str::floor_char_boundary` is not stable on
/// every toolchain vft supports).
pub fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        let s = Snippet::around("{\"a\":1}", 5..6);
        assert_eq!(s.text, "{\"a\":1}");
        assert_eq!(s.span, 5..6);
    }

    #[test]
    fn long_lines_show_a_window_with_the_span_inside() {
        let line = format!(
            "{{\"url\":\"data:image/png;base64,{}\",\"detail\":\"x\"}}",
            "A".repeat(10_000)
        );
        let at = line.find("\"x\"").unwrap();
        let s = Snippet::around(&line, at..at + 3);
        assert!(s.text.starts_with('…') && !s.text.ends_with('…'));
        assert_eq!(&s.text[s.span.clone()], "\"x\"");
        assert!(s.text.len() < 200);

        let url = line.find("\"data").unwrap();
        let s = Snippet::around(&line, url..line.len() - 16);
        assert!(s.text.starts_with("{\"url\":\"data:image/png") && s.text.ends_with('…'));
        assert_eq!(s.span.end, s.text.len() - '…'.len_utf8());
    }

    #[test]
    fn windows_never_split_a_character() {
        let line = "é".repeat(500);
        let s = Snippet::around(&line, 500..502);
        assert!(s.text.chars().all(|c| c == 'é' || c == '…'));
    }
}
