use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;

declare_rule! {
    /// ## What it does
    /// With `--offline`, says once per file how many http(s) image URLs were not fetched,
    /// so their reachability, size, format and colour mode were not checked (their syntax
    /// and literal addresses still are). Without `--offline`, vft fetches them and this
    /// rule does not fire.
    ///
    /// ## Why is this bad?
    /// The platform fetches URL images at upload; an unreachable or invalid one is skipped
    /// ("inaccessible URL"), and Azure fails the whole file after 200 skipped image
    /// examples. This run could not tell whether that will happen.
    ///
    /// ## Example
    /// Any file with `"url": "https://…"` images, checked with `vft check --offline`.
    ///
    /// ## How to fix
    /// Run without `--offline` to have vft fetch and check them, or inline the images as
    /// data URIs.
    ///
    /// ## Source
    /// Spec §3.2 ("Remote URLs … A validator can only warn"), §8 (Azure's 200-skip limit),
    /// §11 ("Remote image URL (cannot verify) | info").
    code: "VFT210",
    name: "unverified-image-urls",
    category: Media,
    severity: Info,
    summary: "Image URLs were not fetched, so they were not checked",
    check: Check::File(check),
}

fn check(file: &FileFacts, report: &mut Report<'_>) {
    if file.url_images > 0 {
        let urls = crate::numbers::count(file.url_images, "image URL", "image URLs");
        report
            .file(format!("{urls} not fetched (`--offline`): reachability, size, format and colour mode unchecked"))
            .help("run without `--offline` to fetch and check them; the platform skips images it cannot fetch");
    }
}
