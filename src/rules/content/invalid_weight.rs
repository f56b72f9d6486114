use crate::diagnostic::FixAction;
use crate::json::{Json, Number};
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Checks `weight` on assistant messages: it must be the integer `0` or `1`. `1.0`,
    /// `true`, `"1"` and `0.5` are reported.
    ///
    /// ## Why is this bad?
    /// "The allowed values for weight are currently 0 or 1", and the schema types it as an
    /// integer. Whether `1.0` is coerced is UNVERIFIED.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello", "weight": 0.5}]}
    /// ```
    ///
    /// ## How to fix
    /// Use `0` to skip training on the message, `1` (or no `weight`) to train on it.
    ///
    /// ## Fix
    /// Safe where the value is unambiguous: `vft fix` writes `1.0` as `1`, `0.0` as `0`, and
    /// `"1"` / `"0"` as the number. Other values (`0.5`, `true`) are left for you to decide.
    ///
    /// ## Source
    /// Spec §2.5 (OAPI-2025-04, OAI-FTG-2024, AZ-REST).
    code: "VFT303",
    name: "invalid-weight",
    category: Content,
    severity: Error,
    fix: Safe,
    summary: "An assistant message's `weight` is not the integer 0 or 1",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    for (message, role) in example.roles() {
        if role != "assistant" {
            continue;
        }
        let Some(weight) = message.get("weight") else {
            continue;
        };
        if is_valid(weight) {
            continue;
        }
        #[allow(clippy::float_cmp)] // exactly 0.0 and 1.0 are the values meant as integers
        let (help, unambiguous) = match weight {
            Json::Number(Number::Float(f)) if f == 0.0 || f == 1.0 => (
                format!("write the integer `{f:.0}`"),
                Some(format!("{f:.0}")),
            ),
            Json::Bool(b) => (format!("write the integer `{}`", u8::from(b)), None),
            Json::String(s) if s == "0" || s == "1" => (
                format!("write the number `{s}` without quotes"),
                Some(s.to_string()),
            ),
            _ => (
                "use `0` to skip training on this message, `1` to train on it".to_owned(),
                None,
            ),
        };
        let pointer = message.pointer().key("weight");
        let finding = report
            .at(
                pointer.clone(),
                format!(
                    "`weight` is `{}`; it must be the integer 0 or 1",
                    weight.describe()
                ),
            )
            .help(help);
        if let Some(value) = unambiguous {
            finding.fix(FixAction::ReplaceValue(pointer, value));
        }
    }
}

pub(crate) fn is_valid(weight: Json<'_>) -> bool {
    matches!(
        weight,
        Json::Number(Number::UInt(0 | 1) | Number::Int(0 | 1))
    )
}
