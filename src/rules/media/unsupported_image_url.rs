use crate::example::ImageSource;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds image URLs that are neither `data:` URIs nor `http(s)://` URLs: local paths,
    /// `file://`, `s3://`, `gs://`, empty strings.
    ///
    /// ## Why is this bad?
    /// Images are given "either as HTTP URLs or data URLs containing Base64-encoded images".
    /// The platform cannot read your disk or your bucket; such images are skipped as an
    /// "inaccessible URL".
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "images/cat.png"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Inline the image as `data:image/png;base64,…`, or host it at a public https URL.
    ///
    /// ## Source
    /// Spec §3.2 ("Image source") and §9.1 (skip reason "inaccessible URL").
    code: "VFT203",
    name: "unsupported-image-url",
    category: Media,
    severity: Error,
    summary: "An image URL is neither a data URI nor http(s)",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for image in &example.images {
        let ImageSource::Unsupported(url) = image.source else {
            continue;
        };
        let shown = crate::json::Json::String(url).describe();
        let message = if url.is_empty() {
            "image URL is empty".to_owned()
        } else {
            format!("image URL {shown} is neither a `data:` URI nor http(s)")
        };
        report.at(image.url_pointer(), message).help(
            "inline the image as `data:image/jpeg;base64,…`, or host it at a public https URL",
        );
    }
}
