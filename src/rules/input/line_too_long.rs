use crate::numbers::thousands;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::LineEvent;

declare_rule! {
    /// ## What it does
    /// Finds lines longer than any valid example can be: the target's maximum of images
    /// (OpenAI 10, Azure 64), each the largest allowed (10 MiB) written as base64, plus 64 MiB
    /// of text, and never more than the largest file the platform takes (OpenAI
    /// 209,106,114 bytes; Azure 512 MB). vft reports such a line once, at its start, and
    /// reads past it without holding it, so a file without newlines (or `/dev/zero`) costs
    /// no more memory than a valid one.
    ///
    /// ## Why is this bad?
    /// The line cannot be a valid example: even filled with the largest images allowed it
    /// would be shorter. Most often the file is not JSON Lines at all (a JSON array, a
    /// binary file) or its newlines were lost.
    ///
    /// ## Example
    /// ```text
    /// [{"messages": [...]}, {"messages": [...]}, … 300 MB on one line]
    /// ```
    ///
    /// ## How to fix
    /// Write one example per line (`jq -c '.[]' data.json > train.jsonl`).
    ///
    /// ## Source
    /// Spec §1 F1 (one JSON object per line), §3.2 (10 MB per image; images per example).
    code: "VFT009",
    name: "line-too-long",
    category: Input,
    severity: Error,
    summary: "A line is longer than any valid example can be",
    check: Check::Line(check),
}

fn check(event: &LineEvent<'_>, report: &mut Report<'_>) {
    let LineEvent::TooLong { len, limit } = *event else {
        return;
    };
    report
        .line(format!(
            "line is {} bytes long, more than any valid example can be ({} bytes); it was not checked",
            thousands(len),
            thousands(limit)
        ))
        .help("write one JSON object per line; the line's bytes were skipped");
}
