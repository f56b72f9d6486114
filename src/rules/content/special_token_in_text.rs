use memchr::memmem;

use crate::input::JsonPointer;
use crate::json::Json;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds text that spells a tokenizer special token: `<|endoftext|>`, `<|fim_prefix|>`,
    /// `<|fim_middle|>`, `<|fim_suffix|>`, `<|endofprompt|>`, and the chat-format tokens
    /// `<|im_start|>`, `<|im_end|>`, `<|im_sep|>`, `<|start|>`, `<|end|>`, `<|message|>`,
    /// `<|channel|>`, `<|constrain|>`, `<|return|>`, `<|call|>`. Every string of the
    /// example is searched except image URLs.
    ///
    /// ## Why is this bad?
    /// The platform refuses the whole file. A real job failed with: "The job failed due to
    /// a file format error in the training file. Invalid file format. Example 6174 message
    /// contains an invalid token: <|fim_suffix|>." Such strings usually leak in from
    /// scraped model output or from templates of other models.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "Summarise"}, {"role": "assistant", "content": "Done.<|endoftext|>"}]}
    /// ```
    ///
    /// ## How to fix
    /// Delete the token, or break it up (`<|` `endoftext|>`) if the text must mention it.
    ///
    /// ## Source
    /// Server error text quoted above (johny-b/llmcomp issue #59, 2026). Only
    /// `<|fim_suffix|>` is observed; the other strings are the special tokens of OpenAI's
    /// tokenizers (`tiktoken`) and chat formats, UNVERIFIED one by one. vft counts them as
    /// ordinary text in its token figures.
    code: "VFT312",
    name: "special-token-in-text",
    category: Content,
    severity: Error,
    summary: "Text contains a special token such as `<|endoftext|>`, which the platform rejects",
    check: Check::Example(check),
}

/// The special tokens searched for.
pub const SPECIAL_TOKENS: &[&str] = &[
    "<|endoftext|>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|endofprompt|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|im_sep|>",
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|return|>",
    "<|call|>",
];

/// The first special token in `text`.
pub fn find_special_token(text: &str) -> Option<&'static str> {
    memmem::find_iter(text.as_bytes(), b"<|")
        .find_map(|at| SPECIAL_TOKENS.iter().find(|t| text[at..].starts_with(**t)))
        .copied()
}

enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    let mut path = Vec::new();
    for (key, value) in example.root.iter() {
        path.push(Step::Key(key));
        walk(value, &mut path, report);
        path.pop();
    }
}

fn walk<'a>(value: Json<'a>, path: &mut Vec<Step<'a>>, report: &mut Report<'_>) {
    match value {
        Json::String(text) => {
            if let Some(token) = find_special_token(text) {
                let pointer = path.iter().fold(JsonPointer::root(), |p, step| match step {
                    Step::Key(key) => p.key(key),
                    Step::Index(index) => p.index(*index),
                });
                report
                    .at(
                        pointer,
                        format!("text contains the special token `{token}`"),
                    )
                    .help("delete it, or break it up (`<|` `…|>`) if the text must mention it");
            }
        }
        Json::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                walk(item, path, report);
                path.pop();
            }
        }
        Json::Object(object) => {
            for (key, item) in object.iter() {
                // Image URLs: a data URI's base64 cannot hold `<|`, and a URL is no text.
                if key == "url" {
                    continue;
                }
                path.push(Step::Key(key));
                walk(item, path, report);
                path.pop();
            }
        }
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tokens_and_ignores_look_alikes() {
        assert_eq!(find_special_token("a<|endoftext|>b"), Some("<|endoftext|>"));
        assert_eq!(
            find_special_token("<| <|fim_suffix|>"),
            Some("<|fim_suffix|>")
        );
        assert_eq!(find_special_token("<|endoftext"), None);
        assert_eq!(find_special_token("< |end|>"), None);
        assert_eq!(find_special_token("<|unknown|>"), None);
    }
}
