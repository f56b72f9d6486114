use crate::render::escape::a_quoted;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds `image_url` parts in messages whose role is not `user`.
    ///
    /// ## Why is this bad?
    /// "You cannot include images as output from messages with the `assistant` role." The
    /// schema allows images in user messages only; system and tool messages take text.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "draw a cat"}, {"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "https://…"}}]}]}
    /// ```
    ///
    /// ## How to fix
    /// Move the image into a user message, or describe it in text.
    ///
    /// ## Source
    /// Spec §3.2 (OAI-VFT, AZ-VFT) and §2.4.
    code: "VFT201",
    name: "image-outside-user-message",
    category: Media,
    severity: Error,
    summary: "An image appears in a message whose role is not `user`",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for image in &example.images {
        let Some(role) = image.part.message.role else {
            continue;
        };
        if role != "user" {
            report
                .at(
                    image.part.pointer(),
                    format!("image in {} message", a_quoted(role)),
                )
                .help("images may appear only in `user` messages: move it, or describe it in text");
        }
    }
}
