use crate::render::escape::{a_quoted, quote_value};
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds content parts that their message's role may not hold: anything but `text` in a
    /// `system` or `tool` message, a `refusal` part outside an assistant message, and an
    /// assistant content array that mixes `refusal` with other parts or holds more than one.
    /// (Images outside user messages are `image-outside-user-message`.)
    ///
    /// ## Why is this bad?
    /// The schema allows per role: system "only type `text`"; tool "only type `text`";
    /// assistant "one or more of type `text`, or exactly one of type `refusal`".
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "system", "content": [{"type": "refusal", "refusal": "no"}]}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Keep only the part types the role allows; use a plain string where in doubt.
    ///
    /// ## Source
    /// Spec §2.3 and §2.4.
    code: "VFT109",
    name: "content-part-not-allowed",
    category: Schema,
    severity: Error,
    summary: "A content part's type is not allowed for its message's role",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for (message, role) in example.roles() {
        let mut refusals = 0;
        let mut parts = 0;
        for part in message.parts() {
            let Some(kind) = part.kind else { continue };
            parts += 1;
            if (role, kind) == ("assistant", "refusal") {
                refusals += 1;
            }
            let allowed = match (role, kind) {
                // Function content must be a string; images, audio, files and unknown types are
                // reported by their own rules.
                ("system" | "tool" | "assistant", "text")
                | ("user", "text" | "image_url")
                | ("assistant", "refusal")
                | ("function", _)
                | (_, "image_url" | "input_audio" | "file") => true,
                (_, kind) => !super::unknown_content_part_type::PART_TYPES.contains(&kind),
            };
            if !allowed {
                report
                    .at(
                        part.pointer().key("type"),
                        format!(
                            "{} parts are not allowed in {} message",
                            quote_value(kind),
                            a_quoted(role)
                        ),
                    )
                    .help(match role {
                        "system" | "tool" => {
                            format!("a `{role}` message may hold only `text` parts")
                        }
                        _ => "`refusal` parts belong to assistant messages".to_owned(),
                    });
            }
        }
        if role == "assistant" && refusals > 0 && parts > 1 {
            report
                .at(
                    message.pointer().key("content"),
                    "an assistant content array mixes a `refusal` part with other parts",
                )
                .help("give either text parts or exactly one `refusal` part");
        }
    }
}
