use crate::rules::{Check, FileFacts, Report, declare_rule};

declare_rule! {
    /// ## What it does
    /// Says, once per file, how many http(s) image URLs were not fetched, so their
    /// reachability, size, format and colour mode were not checked.
    ///
    /// ## Why is this bad?
    /// The platform fetches URL images at upload; an unreachable or invalid one is skipped
    /// ("inaccessible URL"), and Azure fails the whole file after 200 skipped image
    /// examples. This run could not tell whether that will happen.
    ///
    /// ## Example
    /// Any file with `"url": "https://…"` images.
    ///
    /// ## How to fix
    /// Inline the images as data URIs, which vft checks fully.
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
        let plural = if file.url_images == 1 { "" } else { "s" };
        report
            .file(format!("{} image URL{plural} not fetched: reachability, size, format and colour mode unchecked", file.url_images))
            .help("inline images as data URIs to have vft check them; the platform skips unreachable images");
    }
}
