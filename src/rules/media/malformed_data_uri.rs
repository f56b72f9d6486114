use crate::example::ImageSource;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Checks the syntax of `data:` image URLs: `data:<type>/<subtype>[;params];base64,`
    /// followed by a non-empty payload.
    ///
    /// ## Why is this bad?
    /// The platform reads inline images only as base64 data URIs; a URI without `;base64`,
    /// without a media type or without a payload is skipped as an invalid image.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png,iVBORw0KGgo…"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Build the URI as `f"data:image/png;base64,{base64.b64encode(data).decode()}"`.
    ///
    /// ## Source
    /// Spec §3.2 ("data URLs containing Base64-encoded images"); RFC 2397.
    code: "VFT204",
    name: "malformed-data-uri",
    category: Media,
    severity: Error,
    summary: "A data URI is not `data:<mime>;base64,<payload>`",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for image in &example.images {
        let ImageSource::MalformedData(error) = &image.source else {
            continue;
        };
        report
            .at(image.url_pointer(), format!("malformed data URI: {error}"))
            .help("write it as `data:image/<png|jpeg|webp>;base64,<payload>`");
    }
}
