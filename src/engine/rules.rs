//! The plan compiled into tables: for each kind of subject, the enabled rules that check
//! it, with their severity. The engine dispatches each subject to its table.

use crate::diagnostic::{RuleMeta, Severity};
use crate::method::Method;
use crate::rules::subject::{ExampleContext, FileFacts, ImageView, LineEvent, UrlEvent};
use crate::rules::{Check, Finding, Report, RulePlan};

use super::options::Options;

/// Each rule's metadata, severity, the methods whose files it checks, and its check.
type Table<F> = Vec<(&'static RuleMeta, Severity, &'static [Method], F)>;

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
            let (meta, methods) = (&rule.meta, rule.methods);
            match rule.check {
                Check::Line(check) => tables.line.push((meta, severity, methods, check)),
                Check::Example(check) => tables.example.push((meta, severity, methods, check)),
                Check::Image(check) => tables.image.push((meta, severity, methods, check)),
                Check::Url(check) => tables.url.push((meta, severity, methods, check)),
                Check::File(check) => tables.file.push((meta, severity, methods, check)),
            }
        }
        tables
    }

    pub(super) fn line_findings(&self, event: &LineEvent<'_>, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        run(&self.line, None, options, &mut findings, |check, report| {
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
        let method = Some(example.method);
        run(&self.example, method, options, findings, |check, report| {
            check(example, report);
        });
    }

    pub(super) fn image_findings(
        &self,
        image: &ImageView<'_>,
        options: &Options,
        findings: &mut Vec<Finding>,
    ) {
        run(&self.image, None, options, findings, |check, report| {
            check(image, report);
        });
    }

    pub(super) fn url_findings(&self, event: &UrlEvent<'_>, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        run(&self.url, None, options, &mut findings, |check, report| {
            check(event, report);
        });
        findings
    }

    pub(super) fn file_findings(&self, facts: &FileFacts, options: &Options) -> Vec<Finding> {
        let mut findings = Vec::new();
        run(
            &self.file,
            Some(facts.method),
            options,
            &mut findings,
            |check, report| {
                check(facts, report);
            },
        );
        findings
    }
}

/// Runs every rule of `table` that checks files of `method` (every rule, for subjects
/// that are not about the format: lines, images, URLs) through `call` (which hands it its
/// subject); each reports with the run's target and limits.
fn run<F: Copy>(
    table: &Table<F>,
    method: Option<Method>,
    options: &Options,
    findings: &mut Vec<Finding>,
    mut call: impl FnMut(F, &mut Report<'_>),
) {
    for &(rule, severity, methods, check) in table {
        if method.is_some_and(|method| !methods.contains(&method)) {
            continue;
        }
        let mut report = Report::new(rule, severity, options.target, options.limits, findings);
        call(check, &mut report);
    }
}
