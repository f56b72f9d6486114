use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::schema::shape::ROLES;
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds messages whose `role` is not one of `system`, `user`, `assistant`, `tool` or
    /// `function`. (`developer` has its own rule, `developer-role`.) Common aliases from
    /// other formats (`human`, `bot`, `model`, `gpt`) get a suggestion.
    ///
    /// ## Why is this bad?
    /// The message union of the supervised format has exactly these roles; any other value
    /// fails schema validation and with it the file.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "human", "content": "hi"}, {"role": "gpt", "content": "hello"}]}
    /// ```
    ///
    /// ## How to fix
    /// Map the role to the chat format's: `human` → `user`, `gpt`/`bot`/`model` →
    /// `assistant`.
    ///
    /// ## Source
    /// Spec §2.2 (OAPI-2025-04 `messages.items.oneOf`).
    code: "VFT106",
    name: "unknown-role",
    category: Schema,
    severity: Error,
    summary: "A message has a role the chat format does not define",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for (message, role) in example.roles() {
        if ROLES.contains(&role) || role == "developer" {
            continue;
        }
        let help = match role.to_ascii_lowercase().as_str() {
            "human" | "prompter" | "customer" => {
                "use `user` for the human side of the conversation".to_owned()
            }
            "bot" | "gpt" | "model" | "ai" | "chatbot" | "response" => {
                "use `assistant` for the model's replies".to_owned()
            }
            lower if ROLES.contains(&lower) => format!("roles are lowercase: use `{lower}`"),
            _ => "use one of `system`, `user`, `assistant`, `tool`, `function`".to_owned(),
        };
        report
            .at(
                message.pointer().key("role"),
                format!("unknown role {}", quote_value(role)),
            )
            .help(help);
    }
}
