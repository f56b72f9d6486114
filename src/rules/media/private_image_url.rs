use crate::diagnostic::short_url;
use crate::fetch::Failure;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::UrlEvent;

declare_rule! {
    /// ## What it does
    /// Refuses image URLs whose host is not on the public internet: loopback
    /// (`127.0.0.1`, `::1`, `localhost`), private (RFC 1918 `10/8`, `172.16/12`,
    /// `192.168/16`; IPv6 unique-local `fc00::/7`), carrier-grade NAT (`100.64/10`),
    /// link-local (`169.254/16`, `fe80::/10`), cloud metadata (`169.254.169.254`,
    /// `metadata.google.internal`), multicast, broadcast, reserved and documentation
    /// ranges, and IPv6 forms that embed such an IPv4 address. Literal addresses and
    /// reserved names are checked offline; host names are checked on every address they
    /// resolve to, and again on every redirect hop. vft sends no request to such a URL.
    ///
    /// ## Why is this bad?
    /// The platform fetches images from the public internet ("publicly accessible URLs"),
    /// so it cannot reach these and skips the image ("inaccessible URL"); Azure reports
    /// private blob URLs this way. And a training file is untrusted input: fetching such a
    /// URL from a CI runner would let the file probe the runner's network or read its
    /// cloud credentials from the metadata service.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://10.0.3.7/images/cat.png"}}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Host the image at a publicly accessible URL, or inline it as a data URI. To check a
    /// file against a local test server, pass `--allow-private-urls`.
    ///
    /// ## Source
    /// Spec §3.2 ("publicly accessible URLs"; "Azure: private blob URLs fail"), §9.2 (AZ-QA
    /// "inaccessible URL").
    code: "VFT218",
    name: "private-image-url",
    category: Media,
    severity: Error,
    effect: SkipsImage(Url),
    summary: "An image URL points at a private, loopback, link-local or metadata address",
    check: Check::Url(check),
}

fn check(event: &UrlEvent<'_>, report: &mut Report<'_>) {
    let Failure::NotPublic(refusal) = event.failure else {
        return;
    };
    report
        .at(
            event.pointer.clone(),
            format!(
                "image URL `{}` is not publicly accessible: {refusal}; the platform cannot reach it either",
                short_url(event.url)
            ),
        )
        .help(
            "host the image at a publicly accessible URL, or inline it as a data URI \
             (`--allow-private-urls` lets vft fetch it, for testing)",
        );
}
