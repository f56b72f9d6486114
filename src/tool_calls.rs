//! Tool calls and the tools they call, as the tool rules read them: every call of an example
//! (`tool_calls[].function`, and the deprecated `function_call`), the functions its `tools`
//! (or `functions`) declare, a call's `arguments` decoded, and each declared `parameters`
//! compiled as a JSON Schema.
//!
//! A schema is compiled once per distinct schema on each worker thread (a small cache keyed
//! by the schema's text), not once per call: real files repeat the same `tools` on every
//! line. The work a hostile schema can cause is bounded: at most [`MAX_SCHEMA_NODES`] values,
//! no `$ref` fetched (offline), regexes with a backtracking and a size limit, and at most
//! [`MAX_VIOLATIONS`] violations read per call.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use jsonschema::{PatternOptions, Validator};
use serde_json::Value;

use crate::example::{Example, Message};
use crate::input::JsonPointer;
use crate::json::{Json, Number};

/// A `parameters` schema with more values than this is not compiled (its calls are not
/// checked): far above real tool schemas, low enough to keep compiling cheap.
pub const MAX_SCHEMA_NODES: usize = 10_000;

/// The violations of one call's arguments that are read and reported.
pub const MAX_VIOLATIONS: usize = 10;

/// Distinct schemas kept compiled per worker thread.
const CACHE_ENTRIES: usize = 64;

/// One function call of an assistant message.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// The call's function object: `…/tool_calls/N/function` or `…/function_call`.
    pub pointer: JsonPointer,
    /// A deprecated `function_call`, checked against `functions` (not `tools`).
    pub legacy: bool,
    pub name: Option<&'a str>,
    /// `arguments`, when it is a string.
    pub arguments: Option<&'a str>,
}

impl Call<'_> {
    pub fn name_pointer(&self) -> JsonPointer {
        self.pointer.key("name")
    }

    pub fn arguments_pointer(&self) -> JsonPointer {
        self.pointer.key("arguments")
    }
}

/// Every function call in the example's messages and (DPO) outputs, in order.
pub fn calls<'a>(example: &Example<'a>) -> Vec<Call<'a>> {
    let mut calls = Vec::new();
    for message in example.messages().iter().chain(&example.outputs) {
        calls_of(message, &mut calls);
    }
    calls
}

fn calls_of<'a>(message: &Message<'a>, out: &mut Vec<Call<'a>>) {
    let call = |function: Json<'a>, pointer: JsonPointer, legacy: bool| {
        let function = function.as_object()?;
        Some(Call {
            pointer,
            legacy,
            name: function.get_str("name"),
            arguments: function.get("arguments").and_then(Json::as_str),
        })
    };
    let items = message
        .get("tool_calls")
        .and_then(Json::as_array)
        .unwrap_or_default();
    for (index, item) in items.iter().enumerate() {
        let function = item.as_object().and_then(|o| o.get("function"));
        let pointer = message
            .pointer()
            .key("tool_calls")
            .index(index)
            .key("function");
        out.extend(function.and_then(|f| call(f, pointer, false)));
    }
    if let Some(function) = message.get("function_call") {
        out.extend(call(function, message.pointer().key("function_call"), true));
    }
}

/// A function a tool definition declares.
#[derive(Debug, Clone)]
pub struct Declared<'a> {
    pub name: &'a str,
    pub name_pointer: JsonPointer,
    /// `parameters` and its pointer, when present.
    pub parameters: Option<(Json<'a>, JsonPointer)>,
}

/// The functions declared by `tools` and by the deprecated `functions`; `None` for a list
/// that is absent or not an array.
#[derive(Debug, Clone, Default)]
pub struct Declarations<'a> {
    pub tools: Option<Vec<Declared<'a>>>,
    pub functions: Option<Vec<Declared<'a>>>,
}

impl<'a> Declarations<'a> {
    /// Reads the example's `tools` and `functions` (a DPO example's, in `input`).
    pub fn of(example: &Example<'a>) -> Self {
        let Some((holder, root)) = example.tools_holder() else {
            return Self::default();
        };
        let list = |key: &str, function: fn(Json<'a>) -> Option<Json<'a>>| {
            let items = holder.get(key)?.as_array()?;
            let at = root.key(key);
            Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(index, item)| {
                        let object = function(item)?.as_object()?;
                        let pointer = match key {
                            "tools" => at.index(index).key("function"),
                            _ => at.index(index),
                        };
                        Some(Declared {
                            name: object.get_str("name")?,
                            name_pointer: pointer.key("name"),
                            parameters: object
                                .get("parameters")
                                .map(|p| (p, pointer.key("parameters"))),
                        })
                    })
                    .collect(),
            )
        };
        Self {
            tools: list("tools", |tool| tool.as_object()?.get("function")),
            functions: list("functions", Some),
        }
    }

    /// The list a call is checked against: `tools` for `tool_calls`, `functions` for a
    /// `function_call`; `None` when the example does not have it.
    pub fn for_call(&self, call: &Call<'_>) -> Option<&[Declared<'a>]> {
        if call.legacy {
            self.functions.as_deref()
        } else {
            self.tools.as_deref()
        }
    }

    /// Every declared function, `tools` first.
    pub fn all(&self) -> impl Iterator<Item = &Declared<'a>> {
        self.tools.iter().chain(&self.functions).flatten()
    }
}

/// What a call's `arguments` string holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Arguments {
    /// A JSON object, as it should.
    Object(Value),
    /// Not JSON: the parser's message, and the byte of the decoded string where it stopped.
    Invalid { message: String, at: usize },
    /// JSON, but not an object (`kind` is its type, "a string"); `double_encoded` when it
    /// is a string whose own text is a JSON object: the arguments were serialized twice.
    NotObject {
        kind: &'static str,
        double_encoded: bool,
    },
}

impl Arguments {
    pub fn decode(text: &str) -> Self {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Arguments::Object(Value::Object(map)),
            Ok(Value::String(inner)) => Arguments::NotObject {
                kind: "a string",
                double_encoded: matches!(
                    serde_json::from_str::<Value>(&inner),
                    Ok(Value::Object(_))
                ),
            },
            Ok(other) => Arguments::NotObject {
                kind: type_phrase(&other),
                double_encoded: false,
            },
            Err(error) => Arguments::Invalid {
                message: strip_position(&error.to_string()).to_owned(),
                at: error_offset(text, &error),
            },
        }
    }
}

fn type_phrase(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The byte offset in `text` of a serde_json error's line and (byte) column.
fn error_offset(text: &str, error: &serde_json::Error) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(error.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    (line_start + error.column().saturating_sub(1)).min(text.len())
}

/// serde_json appends " at line L column C"; vft reports the position itself.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

/// A declared `parameters`, compiled.
#[derive(Debug)]
pub struct Schema {
    /// Why the schema is not checked against, if it is not.
    pub problem: Option<SchemaProblem>,
    validator: Option<Validator>,
}

/// Why a `parameters` value is not used as a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaProblem {
    /// Not a valid JSON Schema: the validator's message, at `pointer` inside `parameters`
    /// (escaped, `""` for `parameters` itself).
    Invalid { pointer: String, message: String },
    /// More than [`MAX_SCHEMA_NODES`] values.
    TooLarge { nodes: usize },
}

/// One way a call's arguments break its function's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where in the decoded arguments (an escaped JSON pointer, `""` for the whole object).
    pub pointer: String,
    /// The validator's message, with the offending value left out (the snippet shows it).
    pub message: String,
}

impl Schema {
    /// Compiles `parameters` (or takes it from this thread's cache).
    pub fn of(parameters: Json<'_>) -> Rc<Schema> {
        let mut nodes = 0;
        let Some(value) = to_value(parameters, &mut nodes) else {
            return Rc::new(Schema {
                problem: Some(SchemaProblem::TooLarge {
                    nodes: count(parameters),
                }),
                validator: None,
            });
        };
        let key = value.to_string();
        CACHE.with(|cache| {
            if let Some(schema) = cache.borrow().get(&key) {
                return schema.clone();
            }
            let schema = Rc::new(Schema::compile(&value));
            let mut cache = cache.borrow_mut();
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, schema.clone());
            schema
        })
    }

    fn compile(value: &Value) -> Schema {
        let invalid = |pointer: String, message: String| Schema {
            problem: Some(SchemaProblem::Invalid { pointer, message }),
            validator: None,
        };
        if let Err(error) = jsonschema::meta::validate(value) {
            return invalid(error.instance_path().as_str().to_owned(), error.to_string());
        }
        let built = jsonschema::options()
            .offline()
            .should_validate_formats(false)
            .with_pattern_options(
                PatternOptions::fancy_regex()
                    .backtrack_limit(100_000)
                    .size_limit(1 << 20)
                    .dfa_size_limit(1 << 20),
            )
            .build(value);
        match built {
            Ok(validator) => Schema {
                problem: None,
                validator: Some(validator),
            },
            Err(error) => invalid(error.instance_path().as_str().to_owned(), error.to_string()),
        }
    }

    /// The ways `arguments` breaks the schema (at most [`MAX_VIOLATIONS`]); none when the
    /// schema is not used (see [`Schema::problem`]).
    pub fn violations(&self, arguments: &Value) -> Vec<Violation> {
        let Some(validator) = &self.validator else {
            return Vec::new();
        };
        validator
            .iter_errors(arguments)
            .take(MAX_VIOLATIONS)
            .map(|error| Violation {
                pointer: error.instance_path().as_str().to_owned(),
                message: error.masked().to_string(),
            })
            .collect()
    }
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Rc<Schema>>> = RefCell::new(HashMap::new());
}

/// The `serde_json` value of `json`, or `None` past [`MAX_SCHEMA_NODES`] values. Duplicate
/// keys keep the last, as [`crate::json::Object::get`] does.
fn to_value(json: Json<'_>, nodes: &mut usize) -> Option<Value> {
    *nodes += 1;
    if *nodes > MAX_SCHEMA_NODES {
        return None;
    }
    Some(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(Number::Int(n)) => Value::from(n),
        Json::Number(Number::UInt(n)) => Value::from(n),
        Json::Number(Number::Float(n)) => {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
        Json::String(s) => Value::String(s.to_string()),
        Json::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| to_value(item, nodes))
                .collect::<Option<_>>()?,
        ),
        Json::Object(object) => {
            let mut map = serde_json::Map::new();
            for (key, value) in object.iter() {
                map.insert(key.to_owned(), to_value(value, nodes)?);
            }
            Value::Object(map)
        }
    })
}

/// The number of values in `json`.
fn count(json: Json<'_>) -> usize {
    1 + match json {
        Json::Array(items) => items.iter().map(count).sum(),
        Json::Object(object) => object.iter().map(|(_, v)| count(v)).sum(),
        _ => 0,
    }
}

/// The byte range of the value at `pointer` (escaped) in `text`, a decoded arguments
/// string; the whole text when the pointer does not resolve.
pub fn span_in_arguments(text: &str, pointer: &str) -> Range<usize> {
    let at = JsonPointer::root().join(pointer);
    crate::input::pointer::resolve(text, &at, crate::input::SpanTarget::Value)
        .unwrap_or(0..text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Document;

    fn schema(text: &str) -> Rc<Schema> {
        Schema::of(Document::parse(text).unwrap().root())
    }

    #[test]
    fn arguments_are_an_object_invalid_json_or_another_value() {
        assert!(matches!(
            Arguments::decode(r#"{"a": 1}"#),
            Arguments::Object(_)
        ));
        assert_eq!(
            Arguments::decode("{bad json"),
            Arguments::Invalid {
                message: "key must be a string".to_owned(),
                at: 1
            }
        );
        assert_eq!(
            Arguments::decode(r#""{\"location\": \"current\"}""#),
            Arguments::NotObject {
                kind: "a string",
                double_encoded: true
            }
        );
        assert_eq!(
            Arguments::decode("[1]"),
            Arguments::NotObject {
                kind: "an array",
                double_encoded: false
            }
        );
        assert_eq!(
            Arguments::decode(r#""plain""#),
            Arguments::NotObject {
                kind: "a string",
                double_encoded: false
            }
        );
    }

    #[test]
    fn an_error_on_a_later_line_of_the_arguments_is_at_its_byte() {
        let text = "{\n  \"a\": 1,\n  \"b\" 2\n}";
        let Arguments::Invalid { at, .. } = Arguments::decode(text) else {
            panic!("invalid");
        };
        assert_eq!(&text[at..=at], "2");
    }

    #[test]
    fn violations_carry_their_pointer_and_no_value() {
        let s = schema(
            r#"{"type":"object","properties":{"unit":{"enum":["c","f"]}},"required":["city"]}"#,
        );
        assert_eq!(s.problem, None);
        let mut found = s.violations(&serde_json::json!({"unit": "secret-value"}));
        found.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].pointer, "");
        assert!(found[0].message.contains("city"), "{found:?}");
        assert_eq!(found[1].pointer, "/unit");
        assert!(!found[1].message.contains("secret-value"), "{found:?}");
    }

    #[test]
    fn invalid_schemas_say_where() {
        let s = schema(r#"{"type":"object","properties":{"a":{"type":"strin"}}}"#);
        let Some(SchemaProblem::Invalid { pointer, .. }) = &s.problem else {
            panic!("{:?}", s.problem);
        };
        assert_eq!(pointer, "/properties/a/type");
        let s = schema(r#"{"type":"object","properties":{"a":{"pattern":"("}}}"#);
        assert!(
            matches!(s.problem, Some(SchemaProblem::Invalid { .. })),
            "{:?}",
            s.problem
        );
    }

    #[test]
    fn hostile_schemas_end() {
        let args = serde_json::json!({"a": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"});
        for text in [
            r##"{"$ref":"#"}"##,
            r##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##,
            r##"{"allOf":[{"$ref":"#"}],"properties":{"a":{"$ref":"#"}}}"##,
            r#"{"$ref":"https://example.com/schema.json"}"#,
            r#"{"properties":{"a":{"pattern":"^(a+)+$"}}}"#,
            r#"{"properties":{"a":{"pattern":"^(?=a)(a|aa)+(?!b)$"}}}"#,
        ] {
            let s = schema(text);
            let _ = s.violations(&args);
        }
        let big = format!("[{}]", vec!["{}"; MAX_SCHEMA_NODES].join(","));
        let s = schema(&format!(r#"{{"enum":{big}}}"#));
        assert!(matches!(s.problem, Some(SchemaProblem::TooLarge { .. })));
    }

    #[test]
    fn a_schema_is_compiled_once_per_thread() {
        let a = schema(r#"{"type":"object"}"#);
        let b = schema(r#"{ "type" : "object" }"#);
        assert!(Rc::ptr_eq(&a, &b));
    }

    #[test]
    fn arguments_spans_resolve_inside_the_decoded_text() {
        let text = r#"{"unit": "k", "n": [1, 2]}"#;
        assert_eq!(&text[span_in_arguments(text, "/unit")], r#""k""#);
        assert_eq!(&text[span_in_arguments(text, "/n/1")], "2");
        assert_eq!(span_in_arguments(text, ""), 0..text.len());
    }
}
