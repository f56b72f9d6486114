//! The shape of a chat example (spec §2): which keys each object may have, which it must
//! have, and their JSON types, for each training method's format (spec §12): the messages
//! of SFT, RFT and DPO examples share one set of shapes, and only the top level differs.
//! `unknown-field`, `missing-field` and `wrong-field-type` all read this one table through
//! [`visit`].

use crate::example::{Example, Message, Part};
use crate::input::pointer::Path;
use crate::json::{Json, Number, Object};
use crate::method::Method;

/// JSON types as the spec names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Array,
    Object,
    Boolean,
    Integer,
    Null,
}

impl Type {
    pub fn matches(self, value: Json<'_>) -> bool {
        matches!(
            (self, value),
            (Self::String, Json::String(_))
                | (Self::Array, Json::Array(_))
                | (Self::Object, Json::Object(_))
                | (Self::Boolean, Json::Bool(_))
                | (
                    Self::Integer,
                    Json::Number(Number::Int(_) | Number::UInt(_))
                )
                | (Self::Null, Json::Null)
        )
    }

    fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Array => "array",
            Self::Object => "object",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Null => "null",
        }
    }

    /// "string or array", "string, array or null"
    pub fn list(types: &[Type]) -> String {
        let names: Vec<_> = types.iter().map(|t| t.name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.concat(),
        }
    }
}

/// One key an object may hold.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    /// Accepted types; empty means another rule judges the value (`weight`, `audio`).
    pub types: &'static [Type],
    pub required: bool,
    /// Fix advice for a wrong type, when there is a common one.
    pub type_help: Option<&'static str>,
    /// An explicit `null` is the key left out: the SDKs' `model_dump()` writes every
    /// optional key of a response message, unset ones as `null` (see `null-optional-field`).
    pub null_is_absent: bool,
}

const fn field(name: &'static str, types: &'static [Type]) -> Field {
    Field {
        name,
        types,
        required: false,
        type_help: None,
        null_is_absent: false,
    }
}

/// An optional key whose `null` counts as absent.
const fn nullable(name: &'static str, types: &'static [Type]) -> Field {
    Field {
        null_is_absent: true,
        ..field(name, types)
    }
}

const fn required(name: &'static str, types: &'static [Type]) -> Field {
    Field {
        name,
        types,
        required: true,
        type_help: None,
        null_is_absent: false,
    }
}

/// The keys of one kind of object.
#[derive(Debug)]
pub struct Shape {
    /// What the object is, for messages: "a `tool` message", "an `image_url` part".
    pub what: &'static str,
    pub fields: &'static [Field],
    /// Whether keys not in `fields` are unknown. Open shapes are for objects another rule
    /// already reports (unknown role, unsupported part type): they are checked no further.
    pub closed: bool,
}

impl Shape {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The value of `name` in `object`, `None` when absent or a `null` that counts as absent.
    pub fn present<'a>(&self, object: Object<'a>, name: &str) -> Option<Json<'a>> {
        object
            .get(name)
            .filter(|value| !(matches!(value, Json::Null) && self.null_is_absent(name)))
    }

    /// Whether a `null` for `name` counts as the key left out.
    pub fn null_is_absent(&self, name: &str) -> bool {
        self.field(name).is_some_and(|f| f.null_is_absent)
    }
}

/// Whether a `null` for `key` in a message of `role` counts as absent, as the table says
/// (the views' [`crate::example::null_is_absent`] must agree: tested below).
pub fn message_null_is_absent(role: Option<&str>, key: &str) -> bool {
    role_shape(role).null_is_absent(key)
}

/// Keys that only chat completion *responses* have (OAPI `ChatCompletionResponseMessage`),
/// which `model_dump()` copies into a training file. The fine-tuning schema has none of them:
/// `response-only-field` reports them (not `unknown-field`).
pub const RESPONSE_ONLY_KEYS: [&str; 1] = ["annotations"];

use Type::{Array, Boolean, Null, Object as Obj, String as Str};

/// The roles of the supervised chat format (spec §2.2).
pub const ROLES: [&str; 5] = ["system", "user", "assistant", "tool", "function"];

const STRING_CONTENT: Field = Field {
    name: "content",
    types: &[Str, Array],
    required: true,
    type_help: Some("give `content` as a string or an array of content parts"),
    null_is_absent: false,
};

pub static EXAMPLE: Shape = Shape {
    what: "the example",
    fields: &[
        required("messages", &[Array]),
        field("tools", &[Array]),
        field("parallel_tool_calls", &[Boolean]),
        field("functions", &[Array]),
    ],
    closed: true,
};

/// RFT: "`messages` and `tools` are the only reserved keywords. Any other arbitrary
/// key-value data can be included on training datapoints and will be available to
/// reference during grading" (OpenAI's `FineTuneReinforcementRequestInput`, RESEARCH.md
/// (b)): open, so other keys are not unknown.
pub static RFT_EXAMPLE: Shape = Shape {
    what: "an RFT example",
    fields: &[required("messages", &[Array]), field("tools", &[Array])],
    closed: false,
};

/// DPO: "Three top-level fields: `input`, `preferred_output` and `non_preferred_output`"
/// (Azure's DPO page; OpenAI's DPO guide, spec §12).
pub static DPO_EXAMPLE: Shape = Shape {
    what: "a DPO example",
    fields: &[
        required("input", &[Obj]),
        required("preferred_output", &[Array]),
        required("non_preferred_output", &[Array]),
    ],
    closed: true,
};

/// A DPO example's `input`: `messages`, `tools`, `parallel_tool_calls` (OpenAI's
/// `FineTunePreferenceRequestInput`, RESEARCH.md (a)).
static DPO_INPUT: Shape = Shape {
    what: "a DPO `input`",
    fields: &[
        required("messages", &[Array]),
        field("tools", &[Array]),
        field("parallel_tool_calls", &[Boolean]),
    ],
    closed: true,
};

static SYSTEM: Shape = Shape {
    what: "a `system` message",
    fields: &[
        required("role", &[Str]),
        STRING_CONTENT,
        nullable("name", &[Str]),
    ],
    closed: true,
};
static USER: Shape = Shape {
    what: "a `user` message",
    fields: &[
        required("role", &[Str]),
        STRING_CONTENT,
        nullable("name", &[Str]),
    ],
    closed: true,
};
/// `content` is required unless `tool_calls` or `function_call` is present; `missing-field`
/// knows that exception. `weight` and `audio` are judged by their own rules. A `null`
/// `refusal`, `name`, `audio`, `tool_calls` or `function_call` is absent (OAPI-2025-04 marks
/// `refusal`, `audio` and `function_call` nullable; issue 18 §2 adds `tool_calls` and `name`).
/// `content: null` stays a value: it is how the schema says "no text, only calls".
pub static ASSISTANT: Shape = Shape {
    what: "an `assistant` message",
    fields: &[
        required("role", &[Str]),
        field("content", &[Str, Array, Null]),
        nullable("refusal", &[Str]),
        nullable("name", &[Str]),
        nullable("audio", &[]),
        nullable("tool_calls", &[Array]),
        nullable("function_call", &[Obj]),
        field("weight", &[]),
    ],
    closed: true,
};
static TOOL: Shape = Shape {
    what: "a `tool` message",
    fields: &[
        required("role", &[Str]),
        STRING_CONTENT,
        required("tool_call_id", &[Str]),
    ],
    closed: true,
};
static FUNCTION: Shape = Shape {
    what: "a `function` message",
    fields: &[
        required("role", &[Str]),
        required("content", &[Str, Null]),
        required("name", &[Str]),
    ],
    closed: true,
};
/// A message whose role is missing, not a string, or unknown: only `role` is judged.
static ANY_MESSAGE: Shape = Shape {
    what: "a message",
    fields: &[required("role", &[Str])],
    closed: false,
};

static TEXT_PART: Shape = Shape {
    what: "a `text` part",
    fields: &[required("type", &[Str]), required("text", &[Str])],
    closed: true,
};
static IMAGE_PART: Shape = Shape {
    what: "an `image_url` part",
    fields: &[required("type", &[Str]), required("image_url", &[Obj])],
    closed: true,
};
static IMAGE_URL: Shape = Shape {
    what: "an `image_url` object",
    fields: &[
        Field {
            name: "url",
            types: &[Str],
            required: true,
            type_help: Some(
                "give `url` as a string: an https URL or a `data:image/…;base64,…` URI",
            ),
            null_is_absent: false,
        },
        field("detail", &[Str]),
    ],
    closed: true,
};
static REFUSAL_PART: Shape = Shape {
    what: "a `refusal` part",
    fields: &[required("type", &[Str]), required("refusal", &[Str])],
    closed: true,
};
static ANY_PART: Shape = Shape {
    what: "a content part",
    fields: &[required("type", &[Str])],
    closed: false,
};

const ARGUMENTS: Field = Field {
    name: "arguments",
    types: &[Str],
    required: true,
    type_help: Some(
        "`arguments` is JSON text: serialize the object, e.g. with `json.dumps(arguments)`",
    ),
    null_is_absent: false,
};

static TOOL_CALL: Shape = Shape {
    what: "a tool call",
    fields: &[
        required("id", &[Str]),
        required("type", &[Str]),
        required("function", &[Obj]),
    ],
    closed: true,
};
static ANY_TOOL_CALL: Shape = Shape {
    what: "a tool call",
    fields: &[required("type", &[Str])],
    closed: false,
};
static CALLED_FUNCTION: Shape = Shape {
    what: "a called function",
    fields: &[required("name", &[Str]), ARGUMENTS],
    closed: true,
};
static TOOL_DEFINITION: Shape = Shape {
    what: "a tool definition",
    fields: &[required("type", &[Str]), required("function", &[Obj])],
    closed: true,
};
static ANY_TOOL_DEFINITION: Shape = Shape {
    what: "a tool definition",
    fields: &[required("type", &[Str])],
    closed: false,
};
static FUNCTION_DEFINITION: Shape = Shape {
    what: "a function definition",
    fields: &[
        required("name", &[Str]),
        field("description", &[Str]),
        field("parameters", &[Obj]),
        field("strict", &[Boolean, Null]),
    ],
    closed: true,
};
static LEGACY_FUNCTION_DEFINITION: Shape = Shape {
    what: "a function definition",
    fields: &[
        required("name", &[Str]),
        field("description", &[Str]),
        field("parameters", &[Obj]),
    ],
    closed: true,
};

/// What the walk reports.
pub enum Node<'p, 'a> {
    /// An object and the shape it should have.
    Object {
        pointer: Path<'p>,
        object: Object<'a>,
        shape: &'static Shape,
    },
    /// An array element that should be an object but is not.
    NotObject {
        pointer: Path<'p>,
        value: Json<'a>,
        what: &'static str,
    },
}

/// [`visit`] for the rules that look only at objects: each object with its pointer and the
/// shape it should have.
pub fn visit_objects<'a>(
    example: &Example<'a>,
    mut f: impl FnMut(Path<'_>, Object<'a>, &'static Shape),
) {
    visit(example, |node| {
        if let Node::Object {
            pointer,
            object,
            shape,
        } = node
        {
            f(pointer, object, shape);
        }
    });
}

/// Visits every object of the example that has a known shape, and every array element
/// that should be an object and is not. Values of the wrong type are not descended into.
pub fn visit<'a>(example: &Example<'a>, mut f: impl FnMut(Node<'_, 'a>)) {
    let root = Path::Root;
    let input_at = root.key("input");
    // Where the conversation and the tools are: at the top, or in a DPO example's `input`.
    let (shape, holder, holder_at) = match example.method {
        Method::Sft => (&EXAMPLE, Some(example.root), root),
        Method::Rft => (&RFT_EXAMPLE, Some(example.root), root),
        Method::Dpo => (
            &DPO_EXAMPLE,
            example.root.get("input").and_then(Json::as_object),
            input_at,
        ),
    };
    f(Node::Object {
        pointer: root,
        object: example.root,
        shape,
    });
    if let (Method::Dpo, Some(input)) = (example.method, holder) {
        f(Node::Object {
            pointer: input_at,
            object: input,
            shape: &DPO_INPUT,
        });
    }

    let messages = holder_at.key("messages");
    for message in example.messages() {
        visit_message(message, &messages.index(message.index as usize), &mut f);
    }
    let (preferred, non_preferred) = (
        root.key("preferred_output"),
        root.key("non_preferred_output"),
    );
    for output in &example.outputs {
        let list = match output.list {
            crate::example::List::Preferred => &preferred,
            _ => &non_preferred,
        };
        visit_message(output, &list.index(output.index as usize), &mut f);
    }

    let Some(holder) = holder else {
        return;
    };
    visit_array(
        holder.get("tools"),
        &holder_at.key("tools"),
        "a tool definition",
        &mut f,
        |tool| {
            (tool.get_str("type") == Some("function"))
                .then_some(&TOOL_DEFINITION)
                .or(Some(&ANY_TOOL_DEFINITION))
        },
    );
    visit_array(
        holder.get("functions"),
        &holder_at.key("functions"),
        "a function definition",
        &mut f,
        |_| Some(&LEGACY_FUNCTION_DEFINITION),
    );
}

fn visit_message<'a>(message: &Message<'a>, at: &Path<'_>, f: &mut impl FnMut(Node<'_, 'a>)) {
    let Some(object) = message.object() else {
        f(Node::NotObject {
            pointer: *at,
            value: message.value,
            what: "a message",
        });
        return;
    };
    f(Node::Object {
        pointer: *at,
        object,
        shape: message_shape(message),
    });
    visit_parts(message, at, f);
    visit_array(
        message.get("tool_calls"),
        &at.key("tool_calls"),
        "a tool call",
        f,
        |call| {
            (call.get_str("type") == Some("function"))
                .then_some(&TOOL_CALL)
                .or(Some(&ANY_TOOL_CALL))
        },
    );
    if let Some(Json::Object(called)) = message.get("function_call") {
        f(Node::Object {
            pointer: at.key("function_call"),
            object: called,
            shape: &CALLED_FUNCTION,
        });
    }
}

fn message_shape(message: &Message<'_>) -> &'static Shape {
    role_shape(message.role)
}

fn role_shape(role: Option<&str>) -> &'static Shape {
    match role {
        Some("system") => &SYSTEM,
        Some("user") => &USER,
        Some("assistant") => &ASSISTANT,
        Some("tool") => &TOOL,
        Some("function") => &FUNCTION,
        _ => &ANY_MESSAGE,
    }
}

fn visit_parts<'a>(message: &Message<'a>, at: &Path<'_>, f: &mut impl FnMut(Node<'_, 'a>)) {
    let content = at.key("content");
    for part in message.parts() {
        visit_part(part, &content.index(part.index), f);
    }
}

fn visit_part<'a>(part: Part<'a>, at: &Path<'_>, f: &mut impl FnMut(Node<'_, 'a>)) {
    let Some(object) = part.object else {
        f(Node::NotObject {
            pointer: *at,
            value: part.value,
            what: "a content part",
        });
        return;
    };
    let shape = match part.kind {
        Some("text") => &TEXT_PART,
        Some("image_url") => &IMAGE_PART,
        Some("refusal") => &REFUSAL_PART,
        _ => &ANY_PART,
    };
    f(Node::Object {
        pointer: *at,
        object,
        shape,
    });
    if let (Some("image_url"), Some(Json::Object(image_url))) = (part.kind, object.get("image_url"))
    {
        f(Node::Object {
            pointer: at.key("image_url"),
            object: image_url,
            shape: &IMAGE_URL,
        });
    }
}

/// Visits the object elements of an array field, and their `function` object if any.
fn visit_array<'a>(
    value: Option<Json<'a>>,
    at: &Path<'_>,
    what: &'static str,
    f: &mut impl FnMut(Node<'_, 'a>),
    shape_of: impl Fn(Object<'a>) -> Option<&'static Shape>,
) {
    let Some(Json::Array(items)) = value else {
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let pointer = at.index(index);
        let Json::Object(object) = item else {
            f(Node::NotObject {
                pointer,
                value: item,
                what,
            });
            continue;
        };
        let Some(shape) = shape_of(object) else {
            continue;
        };
        f(Node::Object {
            pointer,
            object,
            shape,
        });
        if !shape.closed {
            continue;
        }
        if let Some(Json::Object(function)) = object.get("function") {
            let function_shape = if std::ptr::eq(shape, &raw const TOOL_CALL) {
                &CALLED_FUNCTION
            } else {
                &FUNCTION_DEFINITION
            };
            f(Node::Object {
                pointer: pointer.key("function"),
                object: function,
                shape: function_shape,
            });
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_views_and_the_table_agree_on_which_nulls_are_absent() {
        for role in [
            None,
            Some("system"),
            Some("user"),
            Some("assistant"),
            Some("tool"),
        ] {
            for field in role_shape(role).fields {
                assert_eq!(
                    crate::example::null_is_absent(role, field.name),
                    message_null_is_absent(role, field.name),
                    "{role:?} {}",
                    field.name
                );
            }
        }
    }

    use super::*;

    #[test]
    fn type_lists_read_naturally() {
        assert_eq!(Type::list(&[Str]), "string");
        assert_eq!(Type::list(&[Str, Array]), "string or array");
        assert_eq!(Type::list(&[Str, Array, Null]), "string, array or null");
    }

    #[test]
    fn visits_nested_objects_with_their_shapes() {
        let line = r#"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]},{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]},3],"tools":[{"type":"function","function":{"name":"f"}}]}"#;
        let document = crate::json::Document::parse(line).unwrap();
        let example = Example::new(document.root().as_object().unwrap());
        let mut seen = Vec::new();
        visit(&example, |node| match node {
            Node::Object { pointer, shape, .. } => {
                seen.push(format!("{} {}", pointer.to_pointer(), shape.what));
            }
            Node::NotObject { pointer, what, .. } => {
                seen.push(format!("{} not {what}", pointer.to_pointer()));
            }
        });
        assert_eq!(
            seen,
            [
                " the example",
                "/messages/0 a `user` message",
                "/messages/0/content/0 an `image_url` part",
                "/messages/0/content/0/image_url an `image_url` object",
                "/messages/1 an `assistant` message",
                "/messages/1/tool_calls/0 a tool call",
                "/messages/1/tool_calls/0/function a called function",
                "/messages/2 not a message",
                "/tools/0 a tool definition",
                "/tools/0/function a function definition",
            ]
        );
    }
}
