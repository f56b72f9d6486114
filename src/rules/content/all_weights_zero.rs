use crate::input::JsonPointer;
use crate::json::{Json, Number};
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds examples in which every assistant message has `weight: 0`.
    ///
    /// ## Why is this bad?
    /// Weight 0 excludes a message from training; with all of them excluded the example
    /// teaches nothing but is still billed. What the platform does with it is UNVERIFIED.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello", "weight": 0}]}
    /// ```
    ///
    /// ## How to fix
    /// Set `weight: 1` on the reply to learn, or drop the example.
    ///
    /// ## Source
    /// Spec §2.5 ("All assistant messages weight 0 … warning").
    code: "VFT305",
    name: "all-weights-zero",
    category: Content,
    severity: Warning,
    methods: [Sft],
    summary: "Every assistant message of an example has weight 0",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let mut assistants = example
        .roles()
        .filter(|(_, role)| *role == "assistant")
        .peekable();
    if assistants.peek().is_none() {
        return;
    }
    let zero =
        |w: Option<Json<'_>>| matches!(w, Some(Json::Number(Number::UInt(0) | Number::Int(0))));
    if assistants.all(|(m, _)| zero(m.get("weight"))) {
        report
            .at(
                JsonPointer::root().key("messages"),
                "every assistant message has `weight` 0, so nothing is trained on",
            )
            .help("set `weight` to 1 on the reply to learn, or drop the example");
    }
}
