//! Display caps around any emitter: a per-rule cap (so one systematic problem does not
//! print 50,000 lines), a cap on the total shown, and `--quiet`. Every finding still
//! reaches the summary, which says how many were not shown; exit codes do not change.

use std::collections::HashMap;
use std::io;

use crate::diagnostic::Diagnostic;
use crate::render::emitter::Emitter;
use crate::summary::Summary;

/// What to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// At most this many findings of each rule (`None`: all).
    pub per_rule: Option<u64>,
    /// At most this many findings in all (`None`: all).
    pub total: Option<u64>,
    /// Show no diagnostic, and no summary when there is nothing to report.
    pub quiet: bool,
}

pub struct Capped<'e> {
    inner: Box<dyn Emitter + 'e>,
    caps: Caps,
    per_rule: HashMap<&'static str, u64>,
    shown: u64,
    hidden: u64,
}

impl<'e> Capped<'e> {
    pub fn new(inner: Box<dyn Emitter + 'e>, caps: Caps) -> Self {
        Self {
            inner,
            caps,
            per_rule: HashMap::new(),
            shown: 0,
            hidden: 0,
        }
    }
}

impl Emitter for Capped<'_> {
    fn emit(&mut self, diagnostic: &Diagnostic) -> io::Result<()> {
        if self.caps.quiet {
            return Ok(());
        }
        let seen = self.per_rule.entry(diagnostic.rule.code).or_insert(0);
        *seen += 1;
        let over_rule = self.caps.per_rule.is_some_and(|cap| *seen > cap);
        let over_total = self.caps.total.is_some_and(|cap| self.shown >= cap);
        if over_rule || over_total {
            self.hidden += diagnostic.count();
            return Ok(());
        }
        self.shown += 1;
        self.inner.emit(diagnostic)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.caps.quiet && summary.rules.is_empty() {
            return Ok(());
        }
        let mut summary = summary.clone();
        summary.hidden += self.hidden;
        self.inner.finish(&summary)
    }
}
