//! Info once per file: advice that applies to many lines (`missing-system-message` on
//! every example) is one diagnostic per rule and file, at the rule's first line, with the
//! count and the first lines, instead of one per line. `--info-per-line` (config
//! `info-per-line`) turns this off.
//!
//! Memory stays bounded: per rule, the first diagnostic, two counts and at most
//! [`SAMPLE_LINES`] line numbers.

use crate::diagnostic::{Diagnostic, Occurrences, Severity};
use crate::numbers::{count, thousands};

/// Line numbers a grouped diagnostic keeps (the JSON output's `occurrence_lines`).
pub(super) const SAMPLE_LINES: usize = 5;

/// One rule's info findings in the file so far.
struct Group {
    first: Diagnostic,
    /// Findings, a line with several counted for each.
    findings: u64,
    /// Distinct lines (findings arrive in line order).
    lines: u64,
    last_line: u64,
    sample: Vec<u64>,
}

/// The info findings of one file, grouped per rule.
pub(super) struct InfoGroups {
    per_line: bool,
    /// In the order of each rule's first finding (few rules are info).
    groups: Vec<Group>,
}

impl InfoGroups {
    pub(super) fn new(per_line: bool) -> Self {
        Self {
            per_line,
            groups: Vec::new(),
        }
    }

    /// Takes `diagnostic` into its rule's group when it is an info finding on a line;
    /// `false`: emit it now. Findings about the whole file are once per file already.
    pub(super) fn absorb(&mut self, diagnostic: &Diagnostic) -> bool {
        let Some(line) = diagnostic.location.line else {
            return false;
        };
        if self.per_line || diagnostic.severity != Severity::Info {
            return false;
        }
        let rule = diagnostic.rule.id;
        let Some(group) = self.groups.iter_mut().find(|g| g.first.rule.id == rule) else {
            self.groups.push(Group {
                first: diagnostic.clone(),
                findings: 1,
                lines: 1,
                last_line: line,
                sample: vec![line],
            });
            return true;
        };
        group.findings += 1;
        if line != group.last_line {
            group.last_line = line;
            group.lines += 1;
            if group.sample.len() < SAMPLE_LINES {
                group.sample.push(line);
            }
        }
        true
    }

    /// One diagnostic per rule, taking the groups: the first finding as it was when it is
    /// the only one, else with the count and the first lines in its message and
    /// [`Occurrences`].
    pub(super) fn finish(&mut self) -> impl Iterator<Item = Diagnostic> + use<> {
        std::mem::take(&mut self.groups)
            .into_iter()
            .map(Group::into_diagnostic)
    }
}

impl Group {
    fn into_diagnostic(self) -> Diagnostic {
        let mut diagnostic = self.first;
        if self.findings == 1 {
            return diagnostic;
        }
        let mut lines: Vec<String> = self.sample.iter().map(|&l| thousands(l)).collect();
        if self.lines > self.sample.len() as u64 {
            lines.push("…".to_owned());
        }
        let times = if self.findings == self.lines {
            String::new()
        } else {
            format!("{} times, ", thousands(self.findings))
        };
        diagnostic.message = format!(
            "{} ({times}on {}: {})",
            diagnostic.message,
            count(self.lines, "line", "lines"),
            lines.join(", ")
        );
        let per_line = "`--info-per-line` shows each";
        diagnostic.help = Some(match diagnostic.help.take() {
            Some(help) => format!("{help}; {per_line}"),
            None => per_line.to_owned(),
        });
        diagnostic.occurrences = Some(Occurrences {
            count: self.findings,
            lines: self.sample,
        });
        diagnostic
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Location;

    /// An info diagnostic of the registry's `rule`-th rule (the engine names no rule).
    fn info(rule: usize, line: u64) -> Diagnostic {
        let rule = &crate::rules::REGISTRY[rule].meta;
        Diagnostic {
            rule,
            severity: Severity::Info,
            message: "example has no `system` message".to_owned(),
            help: Some("add one".to_owned()),
            location: Location {
                file: Arc::from("t.jsonl"),
                line: Some(line),
                column: Some(14),
                pointer: None,
            },
            snippet: None,
            image_url: None,
            fix: None,
            occurrences: None,
        }
    }

    #[test]
    fn many_lines_are_one_diagnostic_with_the_count_and_the_first_five_lines() {
        let mut groups = InfoGroups::new(false);
        for line in 1..=1016 {
            assert!(groups.absorb(&info(0, line)));
        }
        let out: Vec<_> = groups.finish().collect();
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "example has no `system` message (on 1,016 lines: 1, 2, 3, 4, 5, …)"
        );
        assert_eq!(out[0].location.line, Some(1));
        assert_eq!(
            out[0].occurrences,
            Some(Occurrences {
                count: 1016,
                lines: vec![1, 2, 3, 4, 5]
            })
        );
        assert_eq!(
            out[0].help.as_deref(),
            Some("add one; `--info-per-line` shows each")
        );
    }

    #[test]
    fn one_finding_is_left_as_it_was_and_few_lines_are_all_named() {
        let mut groups = InfoGroups::new(false);
        groups.absorb(&info(0, 4));
        for line in [2, 2, 9] {
            groups.absorb(&info(1, line));
        }
        let out: Vec<_> = groups.finish().collect();
        assert_eq!(out[0].message, "example has no `system` message");
        assert_eq!(out[0].occurrences, None);
        assert_eq!(
            out[1].message,
            "example has no `system` message (3 times, on 2 lines: 2, 9)"
        );
        assert_eq!(out[1].occurrences.as_ref().unwrap().count, 3);
    }

    #[test]
    fn per_line_errors_and_file_findings_pass_through() {
        let mut groups = InfoGroups::new(true);
        assert!(!groups.absorb(&info(0, 1)));
        let mut groups = InfoGroups::new(false);
        let mut error = info(0, 1);
        error.severity = Severity::Error;
        assert!(!groups.absorb(&error));
        let mut file = info(0, 1);
        file.location.line = None;
        assert!(!groups.absorb(&file));
        assert_eq!(groups.finish().count(), 0);
    }
}
