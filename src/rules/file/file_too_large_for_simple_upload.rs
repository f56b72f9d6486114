use crate::numbers::human_bytes;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;

declare_rule! {
    /// ## What it does
    /// Warns about a file too large for the target's simple upload path but within its
    /// overall limit: over 512 MB for OpenAI (the Files API), over 200 MB for Azure (the
    /// Foundry portal).
    ///
    /// ## Why is this bad?
    /// The everyday upload refuses it: OpenAI's Files API takes "up to 512 MB"; the Azure
    /// portal takes 200 MB. OpenAI's multipart Uploads API (8 GB) and Azure's REST API
    /// (512 MB) still work.
    ///
    /// ## Example
    /// A 700 MB file with `--target openai`.
    ///
    /// ## How to fix
    /// Use the upload path the help names, or make the file smaller.
    ///
    /// ## Source
    /// Spec §1 F4 and F5.
    code: "VFT404",
    name: "file-too-large-for-simple-upload",
    category: File,
    severity: Warning,
    summary: "The file is too large for the target's simple upload path",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    let target = file.target;
    if file.bytes > target.simple_upload_bytes() && file.bytes < target.max_file_bytes() {
        report
            .file(format!(
                "file is {}, too large for {}",
                human_bytes(file.bytes),
                target.simple_upload_path()
            ))
            .help(target.large_upload_path());
    }
}
