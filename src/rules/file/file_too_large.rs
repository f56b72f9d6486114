use crate::numbers::human_bytes;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;

declare_rule! {
    /// ## What it does
    /// Reports a file larger than the target accepts by any upload path: 8 GB for OpenAI
    /// (the multipart Uploads API), 512 MB for Azure (its API takes files "less than
    /// 512 MB").
    ///
    /// ## Why is this bad?
    /// The upload is refused.
    ///
    /// ## Example
    /// A 600 MB file with `--target azure`.
    ///
    /// ## How to fix
    /// Shrink images (JPEG at 2048 px is plenty), move images to URLs, or split the data
    /// across jobs.
    ///
    /// ## Source
    /// Spec §1 F4 (OAI-FTG-2024, OAPI-MAIN createUpload) and F5 (AZ-REST, AZ-QUOTA).
    code: "VFT403",
    name: "file-too-large",
    category: File,
    severity: Error,
    summary: "The file is larger than the target accepts",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    let limit = file.target.max_file_bytes();
    if file.bytes >= limit {
        report
            .file(format!(
                "file is {}; {} accepts less than {}",
                human_bytes(file.bytes),
                file.target.name(),
                human_bytes(limit)
            ))
            .help("shrink or re-encode images, use image URLs, or split the data across jobs");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::target::{Limits, Target};

    /// The openai limit (8 GB) is too large for a fixture file, even a sparse one: its one
    /// line of zero bytes would be held in memory. Its boundary is checked on the totals.
    #[test]
    fn openai_limit_is_eight_gigabytes() {
        for (bytes, fires) in [(7_999_999_999, false), (8_000_000_000, true)] {
            let facts = FileFacts {
                target: Target::OpenAi,
                bytes,
                ..FileFacts::default()
            };
            let mut findings = Vec::new();
            check(
                &facts,
                &mut Report::new(
                    &RULE.meta,
                    Severity::Error,
                    Target::OpenAi,
                    Limits::default(),
                    &mut findings,
                ),
            );
            assert_eq!(findings.len(), usize::from(fires), "{bytes} bytes");
        }
    }
}
