//! The effective rule set: which rules run, at what severity.

use crate::diagnostic::{RuleId, Severity};
use crate::rules::registry::REGISTRY;
use crate::rules::rule::Rule;

/// Each rule's effective severity, indexed by [`RuleId`]; `None` is off.
#[derive(Debug, Clone)]
pub struct RulePlan {
    severities: Vec<Option<Severity>>,
}

impl RulePlan {
    /// Every rule at its default severity.
    pub fn all() -> Self {
        Self::from_severities(REGISTRY.iter().map(|r| Some(r.default_severity)).collect())
    }

    /// Each rule of [`REGISTRY`] (in its order) at a severity, or off (`None`).
    pub fn from_severities(severities: Vec<Option<Severity>>) -> Self {
        assert_eq!(severities.len(), REGISTRY.len(), "one severity per rule");
        Self { severities }
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
    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        self.severities.get(rule.index()).copied().flatten()
    }

    /// The rules that run, with their severity, in code order.
    pub fn enabled(&self) -> impl Iterator<Item = (&'static Rule, Severity)> + '_ {
        REGISTRY
            .iter()
            .zip(&self.severities)
            .filter_map(|(r, s)| Some((r, (*s)?)))
    }
}
