use crate::fetch::Unverified;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::FileFacts;

declare_rule! {
    /// ## What it does
    /// Says once per file how many http(s) image URLs were not fetched, so their
    /// reachability, size, format and colour mode were not checked (their syntax and
    /// literal addresses still are), and why: `--offline`, a network this machine cannot
    /// reach (no host resolved or answered; the run then exits 2 and says so once), or a
    /// `--fetch-budget` that ran out. When vft fetches them, this rule does not fire.
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
    /// Run without `--offline` (where the network can be reached, with a larger
    /// `--fetch-budget`) to have vft fetch and check them, or inline the images as data URIs.
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
    if file.url_images == 0 {
        return;
    }
    let urls = crate::numbers::count(file.url_images, "image URL", "image URLs");
    let (why, fix) = match file.url_images_unfetched_because {
        None => (
            "`--offline`",
            "run without `--offline` to fetch and check them",
        ),
        Some(Unverified::NoNetwork) => (
            "the network cannot be reached",
            "run where the network can be reached to check them, or pass `--offline` to check without fetching",
        ),
        Some(Unverified::Budget) => (
            "`--fetch-budget` ran out",
            "raise `--fetch-budget` to fetch and check them",
        ),
    };
    report
        .file(format!(
            "{urls} not fetched ({why}): reachability, size, format and colour mode unchecked"
        ))
        .help(format!("{fix}; the platform skips images it cannot fetch"));
}
