use crate::diagnostic::short_url;
use crate::fetch::Failure;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::UrlEvent;

declare_rule! {
    /// ## What it does
    /// Fetches every http(s) image URL (unless `--offline`) as the platform will, and
    /// reports each one that gives no image: the host does not resolve, the connection is
    /// refused or times out, TLS fails, the server answers with an error status (403, 404,
    /// or 429 / 5xx still after retries), or redirects in a loop or more than 10 times. A URL
    /// that does not parse is reported even offline. What a URL that does answer returns
    /// is checked by the image rules, like a data URI: `unsupported-image-format` (an HTML
    /// page, a GIF), `image-too-large`, `unsupported-color-mode`, `corrupt-image`, …
    ///
    /// ## Why is this bad?
    /// The platform downloads URL images at upload and skips the ones it cannot get
    /// ("inaccessible URL"): the example trains without its image, silently. Azure fails
    /// the whole file once more than 200 image examples are skipped ("Number of skipped
    /// multimodal examples exceed the maximum allowed 200 limit: inaccessible URL (3124)").
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://bucket.example.com/private/cat.png"}}]}, …]}
    /// ```
    /// where the bucket answers `403 Forbidden` to anyone without credentials.
    ///
    /// ## How to fix
    /// Make the image publicly readable at that URL (no credentials, no expiring signed
    /// link that will have expired by the time the job runs), or inline it as a data URI.
    ///
    /// ## Source
    /// Spec §3.2 ("publicly accessible URLs"; "unreachable URLs are skipped ('inaccessible
    /// URL')"), §8 and §9.2 (Azure's 200-skip limit and its error text), §9.1 (skip reasons).
    code: "VFT217",
    name: "inaccessible-image-url",
    category: Media,
    severity: Error,
    effect: SkipsImage(Url),
    summary: "An image URL cannot be fetched: DNS, connection, TLS, timeout, HTTP status, redirects",
    check: Check::Url(check),
}

fn check(event: &UrlEvent<'_>, report: &mut Report<'_>) {
    let failure = event.failure;
    // A refused address is `private-image-url`'s.
    if let Failure::NotPublic(_) = failure {
        return;
    }
    let what = match failure {
        Failure::Status(401 | 403) => {
            "the platform fetches without credentials: make the image publicly readable"
        }
        Failure::Status(404 | 410) | Failure::Dns(_) | Failure::InvalidUrl(_) => {
            "fix the URL so it points at the image"
        }
        _ => "the platform needs a publicly accessible URL that answers with the image",
    };
    report
        .at(
            event.pointer.clone(),
            format!("image URL `{}` {failure}", short_url(event.url)),
        )
        .help(format!("{what}, or inline the image as a data URI"));
}
