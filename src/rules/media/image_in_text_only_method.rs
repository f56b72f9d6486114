use crate::diagnostic::Severity;
use crate::method::Method;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;
use crate::target::Target;

declare_rule! {
    /// ## What it does
    /// In a DPO or RFT file, finds examples with an image (at their first `image_url`
    /// part), once per example.
    ///
    /// ## Why is this bad?
    /// - DPO on OpenAI: "DPO is currently only supported for text inputs and outputs"
    ///   (OpenAI's DPO guide). Azure's DPO page says nothing about images: allowed or not is
    ///   UNVERIFIED, so on `--target azure` this is a warning.
    /// - RFT: a job with images failed with "Input file <file id> contains images, but the
    ///   method `reinforement` does not support it." (sic; community.openai.com thread
    ///   1357459), although OpenAI's schema says "Input messages may contain text or image
    ///   content only". The job's failure decides: an error on OpenAI; on Azure, whose RFT
    ///   page does not mention images, a warning (UNVERIFIED).
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}], "answer": "a cat"}
    /// ```
    ///
    /// ## How to fix
    /// Train images with supervised fine-tuning (vision SFT), or describe the image in text.
    ///
    /// ## Source
    /// Spec §12 ("DPO and images", "RFT and images"); `fixtures/realworld/RESEARCH.md` (a), (b).
    code: "VFT219",
    name: "image-in-text-only-method",
    category: Media,
    severity: Error,
    methods: [Dpo, Rft],
    summary: "A DPO or RFT example has an image; those methods take text only",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let Some(first) = cx.example.images.first() else {
        return;
    };
    let (message, help) = match cx.method {
        Method::Dpo => (
            "image in a DPO example: DPO is currently only supported for text inputs and outputs",
            "remove the image, or train images with supervised fine-tuning",
        ),
        _ => (
            "image in an RFT example: the method `reinforcement` does not support images",
            "remove the image, or train images with supervised fine-tuning",
        ),
    };
    let unverified = report.target() == Target::Azure;
    let finding = report.at(first.part.pointer(), message);
    finding.help(if unverified {
        "Azure's docs do not say whether this method takes images (UNVERIFIED); to be safe, remove the image"
    } else {
        help
    });
    if unverified && finding.severity == Severity::Error {
        finding.severity = Severity::Warning;
    }
}
