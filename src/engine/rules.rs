//! The plan compiled into tables: for each kind of subject, the enabled rules that check
//! it, with their severity. The engine dispatches each subject to its table.

use crate::diagnostic::{RuleMeta, Severity};
use crate::rules::subject::{ExampleContext, FileFacts, ImageView, LineEvent, UrlEvent};
use crate::rules::{Check, Finding, Report, RulePlan};

use super::Options;

type Table<F> = Vec<(&'static RuleMeta, Severity, F)>;

/// The enabled rules, by what they check.
pub(super) struct RuleTables {
    line: Table<fn(&LineEvent<'_>, &mut Report<'_>)>,
    example: Table<fn(&ExampleContext<'_>, &mut Report<'_>)>,
    image: Table<fn(&ImageView<'_>, &mut Report<'_>)>,
    url: Table<fn(&UrlEvent<'_>, &mut Report<'_>)>,
    file: Table<fn(&FileFacts, &mut Report<'_>)>,
}

impl RuleTables {
    pub(super) fn new(plan: &RulePlan) -> Self {
        let mut tables = Self {
            line: Vec::new(),
            example: Vec::new(),
            image: Vec::new(),
            url: Vec::new(),
            file: Vec::new(),
        };
        for (rule, severity) in plan.enabled() {
            let meta = &rule.meta;
            match rule.check {
                Check::Line(check) => tables.line.push((meta, severity, check)),
                Check::Example(check) => tables.example.push((meta, severity, check)),
                Check::Image(check) => tables.image.push((meta, severity, check)),
                Check::Url(check) => tables.url.push((meta, severity, check)),
                Check::File(check) => tables.file.push((meta, severity, check)),
            }
        }
        tables
    }

    pub(super) fn line_findings(&self, event: &LineEvent<'_>, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        run(&self.line, options, &mut findings, |check, report| {
            check(event, report);
        });
        findings
    }

    pub(super) fn example_findings(
        &self,
        example: &ExampleContext<'_>,
        options: &Options,
        findings: &mut Vec<Finding>,
    ) {
        run(&self.example, options, findings, |check, report| {
            check(example, report);
        });
    }

    pub(super) fn image_findings(
        &self,
        image: &ImageView<'_>,
        options: &Options,
        findings: &mut Vec<Finding>,
    ) {
        run(&self.image, options, findings, |check, report| {
            check(image, report);
        });
    }

    pub(super) fn url_findings(&self, event: &UrlEvent<'_>, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        run(&self.url, options, &mut findings, |check, report| {
            check(event, report);
        });
        findings
    }

    pub(super) fn file_findings(&self, facts: &FileFacts, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        run(&self.file, options, &mut findings, |check, report| {
            check(facts, report);
        });
        findings
    }
}

/// Runs every rule of `table` through `call` (which hands it its subject); each reports
/// with the run's target and limits.
fn run<F: Copy>(
    table: &Table<F>,
    options: &Options,
    findings: &mut Vec<Finding>,
    mut call: impl FnMut(F, &mut Report<'_>),
) {
    for &(rule, severity, check) in table {
        let mut report = Report::new(rule, severity, options.target, options.limits, findings);
        call(check, &mut report);
    }
}
