//! The training method a file is for, and how vft tells it from an example's shape.
//!
//! The platform trains one method per job, and a file must hold examples of that method's
//! format only ("Input file … is in the fine-tune-chat format, but the specified fine-tuning
//! job is not using 'supervised' as the training method (provided method=dpo)", spec §12).
//!
//! The shapes (spec §12; `fixtures/realworld/RESEARCH.md` (a), (b)):
//! - **SFT**: `{"messages": [...]}` with assistant answers; only `messages`, `tools`,
//!   `parallel_tool_calls` and `functions` at the top level.
//! - **DPO**: `{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}`.
//! - **RFT**: `{"messages": [...], ...}` without assistant answers, the last message from the
//!   user; any other top-level key is data for the grader.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::json::{Json, Object};

/// A training method; SFT, the format vft checked before it knew methods, by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Supervised fine-tuning: chat examples with assistant answers.
    #[default]
    Sft,
    /// Direct preference optimization: an input and a preferred and a non-preferred output.
    Dpo,
    /// Reinforcement fine-tuning: prompts for a grader, no answers.
    Rft,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Sft, Method::Dpo, Method::Rft];

    pub fn name(self) -> &'static str {
        match self {
            Method::Sft => "sft",
            Method::Dpo => "dpo",
            Method::Rft => "rft",
        }
    }

    /// How the platform names the method in a job (`method.type`) and its error texts.
    pub fn job_name(self) -> &'static str {
        match self {
            Method::Sft => "supervised",
            Method::Dpo => "dpo",
            Method::Rft => "reinforcement",
        }
    }

    /// How the platform names the file format of the method ("fine-tune-chat").
    pub fn format_name(self) -> &'static str {
        match self {
            Method::Sft => "the supervised chat format (`messages` with assistant answers)",
            Method::Dpo => {
                "the DPO preference format (`input`, `preferred_output`, `non_preferred_output`)"
            }
            Method::Rft => "the RFT format (`messages` ending with a user message)",
        }
    }
}

/// `--method`: a fixed method, or `auto` to decide per file from its first example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodChoice {
    /// Decide per file from the shape of its first example.
    #[default]
    Auto,
    Sft,
    Dpo,
    Rft,
}

impl MethodChoice {
    /// The fixed method, `None` for `auto`.
    pub fn fixed(self) -> Option<Method> {
        match self {
            MethodChoice::Auto => None,
            MethodChoice::Sft => Some(Method::Sft),
            MethodChoice::Dpo => Some(Method::Dpo),
            MethodChoice::Rft => Some(Method::Rft),
        }
    }

    pub fn name(self) -> &'static str {
        self.fixed().map_or("auto", Method::name)
    }
}

/// The chat format's top-level keys (spec §2.1); RFT allows any other.
const CHAT_KEYS: [&str; 4] = ["messages", "tools", "parallel_tool_calls", "functions"];
/// The DPO format's top-level keys.
const DPO_KEYS: [&str; 3] = ["input", "preferred_output", "non_preferred_output"];

/// Which family of format an example is in: the strong signal, that does not depend on the
/// example being valid. A chat example (SFT or RFT) has `messages`; a DPO one has no
/// `messages` but `preferred_output`, `non_preferred_output` or an object `input`. `None`:
/// neither ([`ForeignShape`]: legacy prompt/completion, question/answer…).
pub fn family(root: Object<'_>) -> Option<Family> {
    if root.contains_key("messages") {
        Some(Family::Chat)
    } else if DPO_KEYS[1..].iter().any(|k| root.contains_key(k))
        // `input` alone is DPO only when it holds an object: Alpaca-style files have an
        // `input` string beside `instruction` and `output`.
        || root.get("input").is_some_and(|input| input.as_object().is_some())
    {
        Some(Family::Preference)
    } else {
        None
    }
}

/// What a line in neither family of format ([`family`]) looks like: the shapes of the
/// training files people have that are not a chat fine-tuning file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForeignShape {
    /// `prompt` / `completion`: the legacy completions format (babbage-002, davinci-002).
    PromptCompletion,
    /// `question` / `answer` pairs (evaluation sets, distillation inputs).
    QuestionAnswer,
    /// `instruction` with `output` or `response` (Alpaca, Dolly).
    Instruction,
    /// `conversations` (ShareGPT) or `contents` (Gemini): a conversation under another key.
    OtherConversation { key: &'static str },
    /// Anything else: its first keys, in order.
    Other { keys: Vec<String> },
}

/// Keys of an [`ForeignShape::Other`] line named in the finding.
const KEYS_SHOWN: usize = 4;

impl ForeignShape {
    /// The shape of a line in neither family of format; `None` for chat and DPO lines.
    pub fn of(root: Object<'_>) -> Option<Self> {
        if family(root).is_some() {
            return None;
        }
        let has = |key| root.contains_key(key);
        Some(if has("prompt") && has("completion") {
            ForeignShape::PromptCompletion
        } else if has("question") && has("answer") {
            ForeignShape::QuestionAnswer
        } else if has("instruction") && (has("output") || has("response")) {
            ForeignShape::Instruction
        } else if let Some(key) = ["conversations", "contents"].into_iter().find(|k| has(k)) {
            ForeignShape::OtherConversation { key }
        } else {
            ForeignShape::Other {
                keys: root
                    .iter()
                    .take(KEYS_SHOWN)
                    .map(|(k, _)| k.to_owned())
                    .collect(),
            }
        })
    }

    /// What the lines are, for a message: "question/answer pairs (`question`, `answer`)".
    pub fn describe(&self) -> String {
        match self {
            ForeignShape::PromptCompletion => {
                "in the legacy `prompt`/`completion` format".to_owned()
            }
            ForeignShape::QuestionAnswer => "`question`/`answer` pairs".to_owned(),
            ForeignShape::Instruction => {
                "instruction records (`instruction`, `output`: Alpaca or Dolly style)".to_owned()
            }
            ForeignShape::OtherConversation { key } => {
                format!("conversations under `{key}`")
            }
            ForeignShape::Other { keys } if keys.is_empty() => "empty objects".to_owned(),
            ForeignShape::Other { keys } => {
                let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                format!("objects with the keys {}", keys.join(", "))
            }
        }
    }

    /// What to do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            ForeignShape::PromptCompletion => {
                "the prompt/completion format trains only babbage-002 and davinci-002; for gpt-4o and gpt-4.1 write each line as `{\"messages\": [{\"role\": \"user\", \"content\": <prompt>}, {\"role\": \"assistant\", \"content\": <completion>}]}`"
            }
            ForeignShape::QuestionAnswer | ForeignShape::Instruction => {
                "write each line as a chat example: `{\"messages\": [{\"role\": \"user\", \"content\": <question>}, {\"role\": \"assistant\", \"content\": <answer>}]}` (add a `system` message for the instructions you will use in production)"
            }
            ForeignShape::OtherConversation { .. } => {
                "move the turns to `messages`, each as `{\"role\": \"user\" | \"assistant\" | \"system\", \"content\": …}`"
            }
            ForeignShape::Other { .. } => {
                "a supervised fine-tuning line is `{\"messages\": [...]}` with user and assistant messages; a DPO line has `input`, `preferred_output` and `non_preferred_output`"
            }
        }
    }
}

/// The two shapes of line a file may not mix (see [`family`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `messages`: SFT or RFT.
    Chat,
    /// `input` / `preferred_output` / `non_preferred_output`: DPO.
    Preference,
}

impl Family {
    pub fn of(method: Method) -> Self {
        match method {
            Method::Dpo => Family::Preference,
            Method::Sft | Method::Rft => Family::Chat,
        }
    }
}

/// The method an example's shape says, for deciding a file's method from its first
/// example. In order:
/// 1. a DPO key and no `messages` → DPO;
/// 2. `messages` holding an assistant message → SFT (an RFT file may hold assistant turns,
///    but a first example with one is far more likely a supervised one);
/// 3. `messages` whose last message is from the user, or a top-level key outside the chat
///    format's four (data for the grader) → RFT;
/// 4. anything else (no messages, empty messages, a last message from the system…) → SFT,
///    the format the schema rules then explain.
pub fn classify(root: Object<'_>) -> Method {
    if family(root) == Some(Family::Preference) {
        return Method::Dpo;
    }
    let Some(messages) = root.get("messages").and_then(Json::as_array) else {
        return Method::Sft;
    };
    if has_assistant_message(root) {
        return Method::Sft;
    }
    let ends_with_user = messages.last().is_some_and(|m| role(m) == Some("user"));
    let grader_keys = root.iter().any(|(key, _)| !CHAT_KEYS.contains(&key));
    if ends_with_user || grader_keys {
        Method::Rft
    } else {
        Method::Sft
    }
}

/// Whether the example's `messages` hold an assistant message.
pub fn has_assistant_message(root: Object<'_>) -> bool {
    root.get("messages")
        .and_then(Json::as_array)
        .is_some_and(|messages| messages.iter().any(|m| role(m) == Some("assistant")))
}

fn role(message: Json<'_>) -> Option<&str> {
    message.as_object().and_then(|o| o.get_str("role"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Document;

    fn method_of(line: &str) -> Method {
        let document = Document::parse(line).unwrap();
        classify(document.root().as_object().unwrap())
    }

    #[test]
    fn classifies_each_shape() {
        let sft =
            r#"{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"#;
        let dpo = r#"{"input":{"messages":[{"role":"user","content":"a"}]},"preferred_output":[],"non_preferred_output":[]}"#;
        let rft =
            r#"{"messages":[{"role":"developer","content":"a"},{"role":"user","content":"b"}]}"#;
        let rft_keys = r#"{"messages":[{"role":"system","content":"a"}],"solution":"4"}"#;
        assert_eq!(method_of(sft), Method::Sft);
        assert_eq!(method_of(dpo), Method::Dpo);
        assert_eq!(method_of(rft), Method::Rft);
        assert_eq!(method_of(rft_keys), Method::Rft);
    }

    #[test]
    fn unclear_shapes_are_sft_for_the_schema_rules() {
        assert_eq!(method_of(r#"{"prompt":"a","completion":"b"}"#), Method::Sft);
        assert_eq!(method_of(r#"{"messages":[]}"#), Method::Sft);
        assert_eq!(
            method_of(r#"{"messages":[{"role":"system","content":"a"}]}"#),
            Method::Sft
        );
        // An SFT example with an assistant turn and grader-like keys is still SFT.
        assert_eq!(
            method_of(r#"{"messages":[{"role":"assistant","content":"b"}],"x":1}"#),
            Method::Sft
        );
    }

    #[test]
    fn families_separate_chat_from_preference_lines() {
        let fam = |line: &str| family(Document::parse(line).unwrap().root().as_object().unwrap());
        assert_eq!(fam(r#"{"messages":[]}"#), Some(Family::Chat));
        assert_eq!(fam(r#"{"preferred_output":[]}"#), Some(Family::Preference));
        assert_eq!(fam(r#"{"messages":[],"input":{}}"#), Some(Family::Chat));
        assert_eq!(fam(r#"{"prompt":"a"}"#), None);
        assert_eq!(
            fam(r#"{"input":{"messages":[]}}"#),
            Some(Family::Preference)
        );
        assert_eq!(fam(r#"{"instruction":"a","input":"b","output":"c"}"#), None);
    }

    #[test]
    fn foreign_shapes_are_named() {
        let shape = |line: &str| {
            ForeignShape::of(Document::parse(line).unwrap().root().as_object().unwrap())
        };
        assert_eq!(
            shape(r#"{"prompt":"a ->","completion":" b"}"#),
            Some(ForeignShape::PromptCompletion)
        );
        assert_eq!(
            shape(r#"{"question":"a","answer":"b"}"#),
            Some(ForeignShape::QuestionAnswer)
        );
        assert_eq!(
            shape(r#"{"instruction":"a","input":"","output":"c"}"#),
            Some(ForeignShape::Instruction)
        );
        assert_eq!(
            shape(r#"{"conversations":[{"from":"human","value":"a"}]}"#),
            Some(ForeignShape::OtherConversation {
                key: "conversations"
            })
        );
        let other = shape(r#"{"text":"a","label":1}"#).unwrap();
        assert_eq!(other.describe(), "objects with the keys `text`, `label`");
        assert_eq!(shape(r#"{"messages":[]}"#), None);
    }
}
