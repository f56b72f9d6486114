//! The totals of one run, over every file: what the renderers print after the diagnostics.

use serde::Serialize;
use serde::ser::SerializeMap;

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::forecast::Forecast;
use crate::method::Method;
use crate::tokens::TokenSummary;

/// Totals for one run, over every file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: u64,
    /// Non-blank lines.
    pub examples: u64,
    pub examples_with_images: u64,
    pub images: u64,
    pub errors: u64,
    pub warnings: u64,
    pub infos: u64,
    /// Findings per rule, in code order.
    pub rules: RuleCounts,
    /// Findings counted above but not shown because of a display cap (`--max-per-rule`,
    /// `--max-diagnostics`); `--quiet` hides all and does not count here.
    pub hidden: u64,
    /// Why vft could not check a file (it was not found, could not be read), one entry
    /// per file; such a run exits 2.
    pub failures: Vec<String>,
    /// Token figures over every example that could be counted (`vft check` fills it).
    pub tokens: Option<TokenSummary>,
    /// Why `tokens` is left out although examples were counted: the run has RFT files,
    /// which are billed by training time ([`crate::models::RFT_BILLING`]).
    pub cost_note: Option<&'static str>,
    /// What will really train once the platform has skipped images.
    pub forecast: Forecast,
    /// Each checked file and the training method it was checked as, in order.
    #[serde(skip)]
    pub methods: Vec<(Arc<str>, Method)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    #[serde(skip)]
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub count: u64,
}

/// Findings per rule, indexed by [`crate::diagnostic::RuleId`]; serialized as an object
/// from code to count, in code order.
#[derive(Debug, Clone, Default)]
pub struct RuleCounts(Vec<Option<RuleCount>>);

impl RuleCounts {
    /// The rules with findings, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleCount> {
        self.0.iter().flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    fn count(&mut self, diagnostic: &Diagnostic) {
        let index = diagnostic.rule.id.index();
        if self.0.len() <= index {
            self.0.resize(index + 1, None);
        }
        self.0[index]
            .get_or_insert(RuleCount {
                code: diagnostic.rule.code,
                name: diagnostic.rule.name,
                severity: diagnostic.severity,
                count: 0,
            })
            .count += diagnostic.count();
    }
}

impl Serialize for RuleCounts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for rule in self.iter() {
            map.serialize_entry(rule.code, rule)?;
        }
        map.end()
    }
}

impl Summary {
    /// Records the method `file` was checked as.
    pub fn file_method(&mut self, file: &Arc<str>, method: Method) {
        self.methods.push((file.clone(), method));
    }

    /// The method every checked file shares; `None` with no file or with several methods.
    pub fn method(&self) -> Option<Method> {
        let (_, first) = self.methods.first()?;
        self.methods
            .iter()
            .all(|(_, method)| method == first)
            .then_some(*first)
    }

    /// Counts a diagnostic's findings: one, or every occurrence of a grouped one.
    pub fn count(&mut self, diagnostic: &Diagnostic) {
        let n = diagnostic.count();
        match diagnostic.severity {
            Severity::Error => self.errors += n,
            Severity::Warning => self.warnings += n,
            Severity::Info => self.infos += n,
        }
        self.rules.count(diagnostic);
    }
}
