use crate::method::Family;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;

declare_rule! {
    /// ## What it does
    /// Finds a file checked with `--method` (or `method` in the configuration) whose first
    /// example is in the other family of format: a chat file (`messages`) for a DPO job,
    /// a DPO file for an SFT or RFT job. It reports once, for the file, and vft checks the
    /// file as the method its examples are in, so the lines are not each reported again.
    ///
    /// ## Why is this bad?
    /// The job fails on it: "Input file … is in the fine-tune-chat format, but the
    /// specified fine-tuning job is not using 'supervised' as the training method
    /// (provided method=dpo)".
    ///
    /// ## Example
    /// `vft check --method dpo train.jsonl` on a file of
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    /// ```
    ///
    /// ## How to fix
    /// Start the job with the file's method, or convert the file to the job's format.
    ///
    /// ## Source
    /// Spec §12 ("Mixed formats", the server text) and §9.
    code: "VFT406",
    name: "wrong-method",
    category: File,
    severity: Error,
    summary: "The file is in another training method's format than `--method`",
    check: Check::File(check),
}

fn check(facts: &FileFacts, report: &mut Report<'_>) {
    let Some(requested) = facts.requested else {
        return;
    };
    if Family::of(requested) == Family::of(facts.method) {
        return;
    }
    // The server's own words exist for a chat file in a non-supervised job (spec §12).
    let platform = match Family::of(facts.method) {
        Family::Chat => {
            "\"is in the fine-tune-chat format, but the specified fine-tuning job is not using 'supervised' as the training method\""
        }
        Family::Preference => "the job validates every line against its own method's format",
    };
    report
        .file(format!(
            "this is {} file, in {}, but the method is `{}`: the platform rejects it ({platform})",
            article(facts.method),
            facts.method.format_name(),
            requested.name()
        ))
        .help(format!(
            "train with `{}` (`--method {}`), or convert the file to the {} format",
            facts.method.job_name(),
            facts.method.name(),
            requested.name().to_ascii_uppercase()
        ));
}

/// "an SFT", "a DPO", "an RFT"
pub(super) fn article(method: crate::method::Method) -> String {
    let name = method.name().to_ascii_uppercase();
    match method {
        crate::method::Method::Dpo => format!("a {name}"),
        crate::method::Method::Sft | crate::method::Method::Rft => format!("an {name}"),
    }
}
