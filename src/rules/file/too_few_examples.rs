use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;
use crate::target::limits::MIN_EXAMPLES;

declare_rule! {
    /// ## What it does
    /// Counts the examples (non-blank lines) of a file and reports fewer than 10.
    ///
    /// ## Why is this bad?
    /// "The minimum number of examples you can provide for fine-tuning is 10"; the job
    /// fails with `invalid_n_examples`: "Training file has 3 example(s), but must have at
    /// least 10 examples". Useful results usually need 50 to 100.
    ///
    /// A file in no training format at all gets `wrong-file-format` (VFT410) alone: the
    /// platform rejects its format before it counts examples, so a second error on it would
    /// only repeat the first.
    ///
    /// ## Example
    /// A file with 3 lines.
    ///
    /// ## How to fix
    /// Add examples: at least 10, better 50 or more.
    ///
    /// ## Source
    /// Spec §1 F3 (OAI-SFT, AZ-VFT, AZ-REST; error text §9.2).
    code: "VFT401",
    name: "too-few-examples",
    category: File,
    severity: Error,
    summary: "The file has fewer than 10 examples",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    let min = report.limits().min_examples();
    if file.examples < min && file.foreign.is_none() {
        let by = if min > MIN_EXAMPLES {
            " (the configured `min-examples`)"
        } else {
            ""
        };
        report
            .file(format!(
                "file has {}, but must have at least {min}{by}",
                crate::numbers::count(file.examples, "example", "examples")
            ))
            .help("add examples: the platform needs 10 and results usually need 50 or more");
    }
}
