use crate::input::JsonPointer;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// In a DPO file, finds examples whose `preferred_output` and `non_preferred_output`
    /// are the same JSON value.
    ///
    /// ## Why is this bad?
    /// DPO learns from the difference between the two replies; a pair without one teaches
    /// nothing and usually means a data-preparation slip (the same column written twice).
    /// No platform document says the server rejects such a pair (UNVERIFIED), hence a
    /// warning.
    ///
    /// ## Example
    /// ```jsonl
    /// {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello!"}], "non_preferred_output": [{"role": "assistant", "content": "Hello!"}]}
    /// ```
    ///
    /// ## How to fix
    /// Put the worse reply in `non_preferred_output`, or drop the pair.
    ///
    /// ## Source
    /// Spec §12 (DPO format); issue 12 §2 ("the outputs differ").
    code: "VFT313",
    name: "identical-preference-outputs",
    category: Content,
    severity: Warning,
    methods: [Dpo],
    summary: "A DPO example's preferred and non-preferred outputs are the same",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let root = cx.example.root;
    let (Some(preferred), Some(non_preferred)) = (
        root.get("preferred_output"),
        root.get("non_preferred_output"),
    ) else {
        return;
    };
    if preferred == non_preferred {
        report
            .at(
                JsonPointer::root().key("non_preferred_output"),
                "`non_preferred_output` is the same as `preferred_output`",
            )
            .help("DPO learns from the difference: give the reply the model should avoid");
    }
}
