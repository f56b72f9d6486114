use crate::diagnostic::FixAction;
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::{ImageOrigin, ImageView};

declare_rule! {
    /// ## What it does
    /// Compares a data URI's declared media type, or a fetched URL's `Content-Type`, with
    /// the format its bytes really have, and warns when they disagree (`data:image/jpeg`
    /// holding a PNG; a PNG served as `text/plain`).
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
    /// ## Fix
    /// Safe: `vft fix` relabels the data URI with the type its bytes have; the payload is kept
    /// byte for byte. A fetched URL's `Content-Type` is the server's to fix.
    ///
    /// ## Source
    /// Spec §3.2 ("Data-URI MIME vs actual bytes: no documentation found … report mismatch
    /// as warning").
    code: "VFT212",
    name: "image-mime-mismatch",
    category: Media,
    severity: Warning,
    fix: Safe,
    summary: "An image's declared media type disagrees with its bytes",
    check: Check::Image(check),
}

fn check(image: &ImageView<'_>, report: &mut Report<'_>) {
    let (Some(format), Some(declared)) =
        (image.probe.and_then(|p| p.format), image.declared_type())
    else {
        return;
    };
    if format.matches_mime(declared) {
        return;
    }
    let (message, help) = match image.origin {
        ImageOrigin::Data { .. } => (
            format!(
                "data URI says {} but the bytes are {}",
                quote_value(declared),
                format.name()
            ),
            format!("label it `{}`", format.mime()),
        ),
        ImageOrigin::Remote { .. } => (
            format!(
                "response says `Content-Type`: {} but the bytes are {}",
                quote_value(declared),
                format.name()
            ),
            format!("serve it as `{}`", format.mime()),
        ),
    };
    let finding = report.at(image.pointer.clone(), message).help(help);
    if let ImageOrigin::Data { .. } = image.origin {
        finding.fix(FixAction::RelabelImage(
            image.pointer.clone(),
            format.mime(),
        ));
    }
}
