use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds messages with role `developer`.
    ///
    /// ## Why is this bad?
    /// `developer` is the system role of newer reasoning models, and reinforcement
    /// fine-tuning accepts it; it is not in the union of the supervised format that gpt-4o
    /// and gpt-4.1 vision fine-tuning use. Whether the server rejects it is UNVERIFIED, so
    /// this is its own rule: downgrade it if you know better.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "developer", "content": "Answer briefly."}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Use `system`.
    ///
    /// ## Source
    /// Spec §2.2 and §11 ("`developer` role | error (lenient: warning)").
    code: "VFT107",
    name: "developer-role",
    category: Schema,
    severity: Error,
    methods: [Sft, Dpo],
    summary: "A message uses the `developer` role, which supervised fine-tuning does not define",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for (message, role) in example.roles() {
        if role == "developer" {
            report
                .at(
                    message.pointer().key("role"),
                    "role `developer` is not part of the supervised chat format",
                )
                .help("use `system` for instructions to gpt-4o and gpt-4.1");
        }
    }
}
