use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// In a DPO file, finds examples whose `input.messages` ends with an `assistant`
    /// message.
    ///
    /// ## Why is this bad?
    /// The outputs are the reply to the input: "the preferred and non-preferred messages
    /// need to be the last assistant message" (OpenAI's 2024 fine-tuning guide, spec §12).
    /// An input that already ends with the assistant's reply leaves the outputs answering
    /// nobody; earlier assistant turns of a multi-turn input are fine.
    ///
    /// ## Example
    /// ```jsonl
    /// {"input": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}, "preferred_output": [{"role": "assistant", "content": "How can I help?"}], "non_preferred_output": [{"role": "assistant", "content": "What?"}]}
    /// ```
    ///
    /// ## How to fix
    /// End the input with the user's turn, and put the reply to compare in the outputs.
    ///
    /// ## Source
    /// Spec §12 (DPO format); `fixtures/realworld/RESEARCH.md` (a).
    code: "VFT314",
    name: "input-ends-with-assistant",
    category: Content,
    severity: Error,
    methods: [Dpo],
    summary: "A DPO example's input ends with an assistant message",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let Some(last) = cx.example.messages().last() else {
        return;
    };
    if last.role == Some("assistant") {
        report
            .at(
                last.pointer(),
                "`input.messages` ends with an `assistant` message",
            )
            .help("end the input with the user's turn: the outputs are the reply to it");
    }
}
