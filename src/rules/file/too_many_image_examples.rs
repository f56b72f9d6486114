use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;
use crate::target::limits::MAX_IMAGE_EXAMPLES;

declare_rule! {
    /// ## What it does
    /// Counts the examples that contain at least one image and reports more than 50,000.
    ///
    /// ## Why is this bad?
    /// Both platforms allow at most 50,000 examples with images per file "(not including
    /// text examples)".
    ///
    /// ## Example
    /// A file of 60,000 captioned photos.
    ///
    /// ## How to fix
    /// Split the data across jobs, or sample 50,000 image examples.
    ///
    /// ## Source
    /// Spec §3.2 (OAI-VFT, AZ-VFT).
    code: "VFT402",
    name: "too-many-image-examples",
    category: File,
    severity: Error,
    summary: "The file has more than 50,000 examples with images",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    if file.examples_with_images > MAX_IMAGE_EXAMPLES {
        report
            .file(format!(
                "file has {} examples with images, over the limit of {}",
                thousands(file.examples_with_images),
                thousands(MAX_IMAGE_EXAMPLES)
            ))
            .help("split the data across jobs, or sample at most 50,000 image examples");
    }
}
