//! `vft fix`: what the fixer may do ([`FixPolicy`]), what it did ([`FixTally`]), and its
//! parts:
//!
//! - [`edit`]: byte-range edits of one line, so a fix changes only what it names;
//! - [`image`]: re-encoding a data-URI image the platform would skip (and embedding a
//!   fetched one, `--inline-urls`);
//! - [`output`]: files that appear under their final name only once complete.
//!
//! The per-line work runs on the engine's pipeline (`engine::repair`): the same reader,
//! batches and worker pool as `vft check`, and the same rules, which attach a
//! [`crate::diagnostic::FixAction`] to what they find.

pub mod edit;
pub mod image;
pub mod output;

use std::collections::BTreeMap;

use crate::diagnostic::{Applicability, RuleMeta};

pub use self::image::ImageSettings;

/// Image notes the summary lists at most; the rest are counted.
const MAX_NOTES: usize = 20;

/// Which fixes `vft fix` applies, and how.
#[derive(Debug, Clone)]
pub struct FixPolicy {
    /// Apply unsafe fixes too (`--unsafe-fixes`).
    pub unsafe_fixes: bool,
    /// Per rule ([`crate::diagnostic::RuleId`] index): whether its fix may be applied
    /// (`--fixable`, `--unfixable`).
    pub fixable: Vec<bool>,
    /// Write lines that stay invalid to the output unchanged, instead of setting them aside.
    pub keep_invalid: bool,
    /// Fetch image URLs and embed them as data URIs (`--inline-urls`).
    pub inline_urls: bool,
    pub image: ImageSettings,
}

impl FixPolicy {
    /// Whether the fix of `rule` is applied.
    pub fn applies(&self, rule: &RuleMeta) -> bool {
        let selected = self.fixable.get(rule.id.index()).copied().unwrap_or(false);
        match rule.fix {
            Some(Applicability::Safe) => selected,
            Some(Applicability::Unsafe) => selected && self.unsafe_fixes,
            None => false,
        }
    }

    /// Whether `rule` has a fix that only `--unsafe-fixes` would apply.
    pub fn withheld(&self, rule: &RuleMeta) -> bool {
        rule.fix == Some(Applicability::Unsafe)
            && !self.unsafe_fixes
            && self.fixable.get(rule.id.index()).copied().unwrap_or(false)
    }
}

/// What `vft fix` did to the files of a run.
#[derive(Debug, Default, Clone)]
pub struct FixTally {
    /// Lines read (a run of empty lines counts each).
    pub lines: u64,
    /// Lines written as they were, byte for byte.
    pub unchanged: u64,
    /// Lines written with fixes.
    pub fixed: u64,
    /// Lines left out (blank lines).
    pub dropped: u64,
    /// Lines that stay invalid, set aside in the rejects file.
    pub rejected: u64,
    /// Lines that stay invalid, kept in the output unchanged (`--keep-invalid`).
    pub kept_invalid: u64,
    /// Lines each rule's fix was applied to, by rule code.
    pub by_rule: BTreeMap<&'static str, RuleCount>,
    /// Findings whose fix only `--unsafe-fixes` applies, by rule code.
    pub withheld: BTreeMap<&'static str, RuleCount>,
    /// What image repairs did or why they failed: "line 3 `/messages/0/…`: GIF P → PNG RGB".
    pub notes: Vec<String>,
    /// Notes beyond [`MAX_NOTES`].
    pub more_notes: u64,
    /// Images downscaled to their `detail`'s size (`--fit-detail`).
    pub fitted: u64,
    /// Image URLs embedded as data URIs (`--inline-urls`), in lines written fixed.
    pub inlined: u64,
    /// The byte-order mark was removed or added.
    pub bom: Option<&'static RuleMeta>,
    /// Rejected lines' first reasons, for the summary: the rule and how many lines.
    pub reject_reasons: BTreeMap<&'static str, RuleCount>,
}

/// A rule and a count.
#[derive(Debug, Clone, Copy)]
pub struct RuleCount {
    pub rule: &'static RuleMeta,
    pub count: u64,
}

impl FixTally {
    pub(crate) fn count(map: &mut BTreeMap<&'static str, RuleCount>, rule: &'static RuleMeta) {
        map.entry(rule.code)
            .or_insert(RuleCount { rule, count: 0 })
            .count += 1;
    }

    pub(crate) fn note(&mut self, note: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(note);
        } else {
            self.more_notes += 1;
        }
    }

    /// Whether the output differs from the input.
    pub fn changed(&self) -> bool {
        self.fixed > 0
            || self.dropped > 0
            || self.fitted > 0
            || self.rejected > 0
            || self.bom.is_some()
    }
}
