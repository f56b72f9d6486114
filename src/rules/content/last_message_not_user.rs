use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// In an RFT file, finds examples whose last message is not from the `user`.
    ///
    /// ## Why is this bad?
    /// The model answers the prompt during training and a grader scores the answer, so the
    /// example ends where the model speaks: "The final "message" in the data must be
    /// assigned a `user` role" (Azure's RFT page). RFT needs no assistant answer; the
    /// reference answer goes in another top-level key for the grader.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}], "solution": "4"}
    /// ```
    ///
    /// ## How to fix
    /// Drop the trailing answer (keep it in a grader key such as `solution`), so the user's
    /// turn comes last.
    ///
    /// ## Source
    /// Spec §12 (RFT format); MicrosoftDocs/azure-ai-docs
    /// `articles/ai-foundry/openai/how-to/reinforcement-fine-tuning.md` @ 0b864e8.
    code: "VFT315",
    name: "last-message-not-user",
    category: Content,
    severity: Error,
    methods: [Rft],
    summary: "An RFT example's last message is not from the user",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let Some(last) = cx.example.messages().last() else {
        return;
    };
    let Some(role) = last.role else {
        return;
    };
    if role != "user" {
        report
            .at(last.pointer(), format!("last message is from {}, not `user`", quote_value(role)))
            .help("end the example with the user's prompt; put a reference answer in a top-level key for the grader");
    }
}
