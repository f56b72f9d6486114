//! What a rule is: its metadata and one check on one kind of subject, reporting through
//! [`Report`]. Rule files declare theirs with [`declare_rule!`].

use std::ops::{Deref, Range};

use crate::diagnostic::{FixAction, RuleMeta, Severity};
use crate::input::{JsonPointer, SpanTarget};
use crate::method::Method;
use crate::rules::subject::{ExampleContext, FileFacts, ImageView, LineEvent, UrlEvent};
use crate::target::{Limits, Target};

/// A rule: identity, documentation and check.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
    /// The training methods whose files the rule checks: the engine runs an example or
    /// file check only on files of these methods (`methods: [Sft]` in [`declare_rule!`];
    /// every method by default).
    pub methods: &'static [Method],
}

impl Rule {
    pub fn applies_to(&self, method: Method) -> bool {
        self.methods.contains(&method)
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.meta.code, self.meta.name)
    }
}

/// A rule is read mostly for its metadata (`rule.code`, `rule.name`).
impl Deref for Rule {
    type Target = RuleMeta;

    fn deref(&self) -> &RuleMeta {
        &self.meta
    }
}

/// What a rule looks at, and so when the engine runs it. Each check sees its subject and
/// reports through [`Report`].
#[derive(Clone, Copy)]
pub enum Check {
    /// Every reading and parsing event of a line ([`LineEvent`]): invalid UTF-8, a blank
    /// line, invalid JSON, a value that is no object, the file's first CRLF, a BOM.
    Line(fn(&LineEvent<'_>, &mut Report<'_>)),
    /// Every line that parsed as a JSON object.
    Example(fn(&ExampleContext<'_>, &mut Report<'_>)),
    /// Every image whose bytes vft has: each valid data URI, and each fetched URL's body
    /// (the diagnostic then names the URL).
    Image(fn(&ImageView<'_>, &mut Report<'_>)),
    /// Every image URL that gave no image: refused by the address policy, or failed.
    Url(fn(&UrlEvent<'_>, &mut Report<'_>)),
    /// Once per file, on the totals.
    File(fn(&FileFacts, &mut Report<'_>)),
}

/// Where in the line a finding points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// A value (or key) in the line's JSON.
    Pointer(JsonPointer, SpanTarget),
    /// A byte range of the decoded value of the string at the pointer: a place inside a
    /// string that holds JSON (tool-call `arguments`), mapped through the string's escapes.
    InString(JsonPointer, Range<usize>),
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
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub position: Position,
    pub fix: Option<FixAction>,
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// What `vft fix` does about it; the rule declares `fix: Safe` (or `Unsafe`).
    pub fn fix(&mut self, action: FixAction) -> &mut Self {
        debug_assert!(
            self.rule.fix.is_some(),
            "{} declares no fix",
            self.rule.code
        );
        self.fix = Some(action);
        self
    }
}

/// The context a rule reports through: the run's target and limits, and where findings go.
pub struct Report<'r> {
    rule: &'static RuleMeta,
    severity: Severity,
    target: Target,
    limits: Limits,
    out: &'r mut Vec<Finding>,
}

impl<'r> Report<'r> {
    pub fn new(
        rule: &'static RuleMeta,
        severity: Severity,
        target: Target,
        limits: Limits,
        out: &'r mut Vec<Finding>,
    ) -> Self {
        Self {
            rule,
            severity,
            target,
            limits,
            out,
        }
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// The effective limits: the platform's, or stricter ones from the configuration.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Reports the value at `pointer`; chain `.help(…)` on the result.
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

    /// Reports bytes `range` of the decoded value of the string at `pointer` (a value inside
    /// tool-call `arguments`); the finding's pointer is the string's.
    pub fn in_string(
        &mut self,
        pointer: JsonPointer,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.push(Position::InString(pointer, range), message.into())
    }

    /// Reports byte `offset` of the line (parse errors).
    pub fn at_byte(&mut self, offset: usize, message: impl Into<String>) -> &mut Finding {
        self.push(Position::Byte(offset), message.into())
    }

    /// Reports the whole line.
    pub fn line(&mut self, message: impl Into<String>) -> &mut Finding {
        self.push(Position::Line, message.into())
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
            fix: None,
        });
        self.out.last_mut().expect("just pushed")
    }
}

/// Declares a rule: its doc comment is its documentation. `effect` says what the platform
/// does beyond the finding, with the reason (`SkipsImage(Mode)`, `MaySkipImage(Face)`;
/// default: nothing); `fix` whether `vft fix` fixes it (`Safe` or `Unsafe`; the check
/// then attaches a [`FixAction`] with `.fix(…)`); `methods` the training methods whose files
/// it checks (default: all).
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        code: $code:literal,
        name: $name:literal,
        category: $category:ident,
        severity: $severity:ident,
        $(effect: $effect:ident($reason:ident),)?
        $(fix: $fix:ident,)?
        $(methods: [$($method:ident),+ $(,)?],)?
        summary: $summary:literal,
        check: $check:expr $(,)?
    ) => {
        pub const RULE: $crate::rules::rule::Rule = $crate::rules::rule::Rule {
            meta: $crate::diagnostic::RuleMeta {
                id: $crate::diagnostic::RuleId::UNNUMBERED,
                code: $code,
                name: $name,
                category: $crate::diagnostic::Category::$category,
                default_severity: $crate::diagnostic::Severity::$severity,
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
                effect: $crate::rules::rule::declare_rule!(@effect $($effect($reason))?),
                fix: $crate::rules::rule::declare_rule!(@fix $($fix)?),
            },
            check: $check,
            methods: $crate::rules::rule::declare_rule!(@methods $([$($method),+])?),
        };
    };
    (@methods) => { &$crate::method::Method::ALL };
    (@methods [$($method:ident),+]) => { &[$($crate::method::Method::$method),+] };
    (@fix) => { None };
    (@fix $fix:ident) => { Some($crate::diagnostic::Applicability::$fix) };
    (@effect) => { $crate::diagnostic::Effect::None };
    (@effect $effect:ident($reason:ident)) => {
        $crate::diagnostic::Effect::$effect($crate::diagnostic::SkipReason::$reason)
    };
}
pub(crate) use declare_rule;
