use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;
use crate::tool_calls::{self, Arguments};

declare_rule! {
    /// ## What it does
    /// Checks that each tool call's `arguments` string holds a JSON **object**. A string
    /// whose JSON is itself a string holding an object, `"\"{\\\"location\\\": …}\""`, is
    /// named as such: the arguments were serialized twice (the OpenAI cookbook's own
    /// `drone_training.jsonl` has such lines).
    ///
    /// ## Why is this bad?
    /// A function's arguments are an object of named parameters (`parameters` is a JSON
    /// Schema whose root is an object). Arguments serialized twice teach the model to emit a
    /// quoted string, which the caller must decode twice or fails on. The platform has
    /// accepted such files (the cookbook's notebook uploads one), so this is a warning; what
    /// it does with them is UNVERIFIED.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "where am I?"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_location", "arguments": "\"{\\\"location\\\": \\\"current\\\"}\""}}]}]}
    /// ```
    ///
    /// ## How to fix
    /// Serialize the arguments once: `json.dumps({"location": "current"})`, not
    /// `json.dumps(json.dumps(…))`.
    ///
    /// ## Source
    /// Spec §2.3 (`arguments` is JSON text) and §2.1 (`parameters` "is a JSON-Schema
    /// object"); the cookbook's `examples/data/drone_training.jsonl` (openai/openai-cookbook
    /// @ 62c0a74, line 3). UNVERIFIED: the server's treatment of non-object arguments.
    code: "VFT121",
    name: "tool-arguments-not-object",
    category: Schema,
    severity: Warning,
    methods: [Sft, Dpo],
    summary: "A tool call's `arguments` is JSON but not an object (or is encoded twice)",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    for call in tool_calls::calls(cx.example) {
        let Some(text) = call.arguments else {
            continue;
        };
        let Arguments::NotObject {
            kind,
            double_encoded,
        } = Arguments::decode(text)
        else {
            continue;
        };
        let pointer = call.arguments_pointer();
        if double_encoded {
            report
                .at(
                    pointer,
                    "`arguments` is encoded twice: its JSON is a string that holds the object",
                )
                .help("serialize the arguments once: `json.dumps(arguments)`, not `json.dumps(json.dumps(arguments))`");
        } else {
            report
                .at(pointer, format!("`arguments` holds {kind}, not a JSON object"))
                .help("write the arguments as a JSON object of named parameters, e.g. `{\"city\": \"Paris\"}`");
        }
    }
}
