use crate::example::{Example, ImageSource};
use crate::rules::{Check, Report, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares a data URI's declared media type with the format its bytes really have,
    /// and warns when they disagree (`data:image/jpeg` holding a PNG).
    ///
    /// ## Why is this bad?
    /// The platform's handling of a wrong label is undocumented; a strict reader may trust
    /// the label and fail to decode. A wrong label also often means the pipeline that built
    /// the file mixed up its images.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,iVBORw0KGgo…"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Label the URI with the real type (`data:image/png;base64,…`), e.g. from
    /// `Image.open(src).format`.
    ///
    /// ## Source
    /// Spec §3.2 ("Data-URI MIME vs actual bytes: no documentation found … report mismatch
    /// as warning").
    code: "VFT212",
    name: "image-mime-mismatch",
    category: Media,
    severity: Warning,
    summary: "A data URI's media type disagrees with its bytes",
    check: Check::Example(check),
}

fn check(example: &Example<'_>, report: &mut Report<'_>) {
    for image in &example.images {
        let (ImageSource::Data { uri, .. }, Some(probe)) = (&image.source, &image.probe) else {
            continue;
        };
        let Some(format) = probe.format else { continue };
        if !format.matches_mime(uri.mime) {
            report
                .at(
                    image.url_pointer(),
                    format!(
                        "data URI says `{}` but the bytes are {}",
                        uri.mime,
                        format.name()
                    ),
                )
                .help(format!("label it `{}`", format.mime()));
        }
    }
}
