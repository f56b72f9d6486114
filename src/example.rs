//! A parsed training example, with the views rules read: messages, content parts, images.
//!
//! Views are lenient: they show what is there and leave judging its shape to the schema
//! rules, so a rule about roles still runs when some other field is malformed. A view does
//! no work beyond reading the JSON: probing images and counting tokens are the engine's.

use crate::input::JsonPointer;
use crate::json::{Array, Json, Object};
use crate::media::data_uri::{self, Base64Error, DataUri, DataUriError};
use crate::method::Method;

/// One line that parsed as a JSON object.
#[derive(Debug)]
pub struct Example<'a> {
    pub root: Object<'a>,
    /// The format the example is read as: its file's training method.
    pub method: Method,
    /// The conversation, when it is an array (each element, object or not): `messages`,
    /// or a DPO example's `input.messages`, so the chat rules check both.
    pub messages: Option<Vec<Message<'a>>>,
    /// A DPO example's `preferred_output` and `non_preferred_output` elements (arrays
    /// only), in that order; empty for other methods.
    pub outputs: Vec<Message<'a>>,
    /// Every `image_url` content part, in any message or output.
    pub images: Vec<ImagePart<'a>>,
}

impl<'a> Example<'a> {
    /// Reads a supervised (or RFT) example's messages and image parts.
    pub fn new(root: Object<'a>) -> Self {
        Self::of(root, Method::Sft)
    }

    /// Reads the example as the format of `method`.
    pub fn of(root: Object<'a>, method: Method) -> Self {
        let list = |at: List, value: Option<Json<'a>>| {
            value.and_then(Json::as_array).map(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(index, value)| Message::new(at, index, value))
                    .collect::<Vec<_>>()
            })
        };
        let (messages, outputs) = match method {
            Method::Sft | Method::Rft => (list(List::Messages, root.get("messages")), Vec::new()),
            Method::Dpo => {
                let input = root.get("input").and_then(Json::as_object);
                let messages = list(List::InputMessages, input.and_then(|i| i.get("messages")));
                let mut outputs =
                    list(List::Preferred, root.get("preferred_output")).unwrap_or_default();
                outputs.extend(
                    list(List::NonPreferred, root.get("non_preferred_output")).unwrap_or_default(),
                );
                (messages, outputs)
            }
        };
        let images = messages
            .iter()
            .flatten()
            .chain(&outputs)
            .flat_map(Message::parts)
            .filter_map(ImagePart::new)
            .collect();
        Self {
            root,
            method,
            messages,
            outputs,
            images,
        }
    }

    /// The pointer of the conversation: `/messages`, or `/input/messages` in DPO.
    pub fn messages_pointer(&self) -> JsonPointer {
        match self.method {
            Method::Dpo => List::InputMessages.pointer(),
            Method::Sft | Method::Rft => List::Messages.pointer(),
        }
    }

    /// The object that holds `tools` (and `functions`): the example, or a DPO example's
    /// `input` (`None` when that is no object), with its pointer.
    pub fn tools_holder(&self) -> Option<(Object<'a>, JsonPointer)> {
        match self.method {
            Method::Dpo => Some((
                self.root.get("input").and_then(Json::as_object)?,
                JsonPointer::root().key("input"),
            )),
            Method::Sft | Method::Rft => Some((self.root, JsonPointer::root())),
        }
    }

    /// The messages (empty when `messages` is missing or not an array).
    pub fn messages(&self) -> &[Message<'a>] {
        self.messages.as_deref().unwrap_or_default()
    }

    /// The http(s) image URLs, with the pointer of each.
    pub fn remote_images(
        &self,
    ) -> impl Iterator<Item = (JsonPointer, &'a str, Option<Json<'a>>)> + '_ {
        self.images.iter().filter_map(|image| match image.source {
            ImageSource::Remote(url) => Some((image.url_pointer(), url, image.detail)),
            _ => None,
        })
    }

    /// Messages that are objects with a string role, with that role.
    pub fn roles(&self) -> impl Iterator<Item = (&Message<'a>, &'a str)> {
        self.messages().iter().filter_map(|m| Some((m, m.role?)))
    }
}

/// Which array a message is an element of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// `/messages`
    Messages,
    /// `/input/messages` (DPO)
    InputMessages,
    /// `/preferred_output` (DPO)
    Preferred,
    /// `/non_preferred_output` (DPO)
    NonPreferred,
}

impl List {
    /// The keys from the root to the array.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            List::Messages => &["messages"],
            List::InputMessages => &["input", "messages"],
            List::Preferred => &["preferred_output"],
            List::NonPreferred => &["non_preferred_output"],
        }
    }

    pub fn pointer(self) -> JsonPointer {
        self.keys()
            .iter()
            .fold(JsonPointer::root(), |pointer, key| pointer.key(key))
    }
}

/// One element of `messages` (or of a DPO example's `input.messages` or outputs).
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The array it is in.
    pub list: List,
    /// Its index in that array (a `u32`: a line has fewer values, and an example with
    /// millions of messages holds one of these per message).
    pub index: u32,
    pub value: Json<'a>,
    /// `role`, when it is a string.
    pub role: Option<&'a str>,
    /// Which of the keys of [`message_key_bit`] the message has, and whether its
    /// `content` is an array ([`CONTENT_IS_ARRAY`]), found in the one pass that reads
    /// `role`: rules ask a message for a dozen keys, most of them absent, and an absent one
    /// is then known without a scan of the object; most contents are strings, whose
    /// messages then have no parts to look up. (Fits in `Message`'s padding: millions of
    /// messages in one example cost no more.)
    keys: u16,
}

/// The bit of [`Message::keys`] set when the message's (last) `content` is an array.
const CONTENT_IS_ARRAY: u16 = 1 << 15;

/// The bit of `key` in [`Message::keys`], when it is one of the keys of a message the
/// rules ask for ([`Message::get`]; at most 16). A `match`, not a search of a list: rules
/// ask for constant keys, and once this is inlined the compiler settles a match on a
/// constant, where the search compared the key with each of the nine, on every lookup of
/// every message.
#[inline]
fn message_key_bit(key: &str) -> Option<u16> {
    let index = match key {
        "role" => 0,
        "content" => 1,
        "name" => 2,
        "refusal" => 3,
        "audio" => 4,
        "tool_calls" => 5,
        "function_call" => 6,
        "weight" => 7,
        "tool_call_id" => 8,
        _ => return None,
    };
    Some(1 << index)
}

impl<'a> Message<'a> {
    fn new(list: List, index: usize, value: Json<'a>) -> Self {
        let (mut role, mut keys) = (None, 0);
        for (key, value) in value.as_object().iter().flat_map(Object::iter) {
            if key == "role" {
                // The last `role` wins, as in `Object::get`.
                role = value.as_str();
            }
            if key == "content" {
                // The last `content` wins, as in `Object::get`.
                keys &= !CONTENT_IS_ARRAY;
                if matches!(value, Json::Array(_)) {
                    keys |= CONTENT_IS_ARRAY;
                }
            }
            keys |= message_key_bit(key).unwrap_or(0);
        }
        Self {
            list,
            index: u32::try_from(index).unwrap_or(u32::MAX),
            value,
            role,
            keys,
        }
    }

    /// The message, when it is an object.
    pub fn object(&self) -> Option<Object<'a>> {
        self.value.as_object()
    }

    pub fn pointer(&self) -> JsonPointer {
        self.list.pointer().index(self.index as usize)
    }

    /// The value of `key`; a `null` where the chat format makes the key optional is absent
    /// (`function_call: null` from `model_dump()`), as the key/type table says.
    #[inline]
    pub fn get(&self, key: &str) -> Option<Json<'a>> {
        if message_key_bit(key).is_some_and(|bit| self.keys & bit == 0) {
            return None;
        }
        self.object()?
            .get(key)
            .filter(|value| !(matches!(value, Json::Null) && null_is_absent(self.role, key)))
    }

    /// The content parts, when `content` is an array.
    pub fn parts(&self) -> impl Iterator<Item = Part<'a>> + use<'a> {
        let message = *self;
        let items = if self.keys & CONTENT_IS_ARRAY == 0 {
            Array::default()
        } else {
            self.get("content")
                .and_then(Json::as_array)
                .unwrap_or_default()
        };
        items.iter().enumerate().map(move |(index, value)| {
            let object = value.as_object();
            Part {
                message,
                index,
                value,
                object,
                kind: object.and_then(|o| o.get_str("type")),
            }
        })
    }
}

/// One element of a message's `content` array.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub message: Message<'a>,
    pub index: usize,
    pub value: Json<'a>,
    pub object: Option<Object<'a>>,
    /// `type`, when it is a string.
    pub kind: Option<&'a str>,
}

impl<'a> Part<'a> {
    pub fn pointer(&self) -> JsonPointer {
        self.message.pointer().key("content").index(self.index)
    }

    pub fn get(&self, key: &str) -> Option<Json<'a>> {
        self.object?.get(key)
    }
}

/// A content part of type `image_url`.
#[derive(Debug, Clone)]
pub struct ImagePart<'a> {
    pub part: Part<'a>,
    /// `image_url.url`, when it is a string.
    pub url: Option<&'a str>,
    /// `image_url.detail`, when present.
    pub detail: Option<Json<'a>>,
    pub source: ImageSource<'a>,
}

/// Where an image's bytes come from.
#[derive(Debug, Clone)]
pub enum ImageSource<'a> {
    /// A well-formed `data:` URI, and its base64 check (the decoded length, or the error).
    Data {
        uri: DataUri<'a>,
        base64: Result<u64, Base64Error>,
    },
    /// A `data:` URL that does not parse.
    MalformedData(DataUriError),
    /// An `http://` or `https://` URL.
    Remote(&'a str),
    /// Any other scheme.
    Unsupported(&'a str),
    /// No string `url` to look at.
    Missing,
}

impl<'a> ImagePart<'a> {
    fn new(part: Part<'a>) -> Option<Self> {
        if part.kind != Some("image_url") {
            return None;
        }
        let image_url = part.get("image_url").and_then(Json::as_object);
        let url = image_url.and_then(|o| o.get_str("url"));
        let detail = image_url.and_then(|o| o.get("detail"));
        let source = url.map_or(ImageSource::Missing, ImageSource::of);
        Some(Self {
            part,
            url,
            detail,
            source,
        })
    }

    /// `/messages/M/content/P/image_url/url` (or under the DPO arrays)
    pub fn url_pointer(&self) -> JsonPointer {
        self.part.pointer().key("image_url").key("url")
    }
}

impl<'a> ImageSource<'a> {
    fn of(url: &'a str) -> Self {
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("data") => match data_uri::parse(url) {
                Ok(uri) => {
                    let base64 = data_uri::validate_base64(uri.payload.as_bytes());
                    ImageSource::Data { uri, base64 }
                }
                Err(e) => ImageSource::MalformedData(e),
            },
            Some("http" | "https") => ImageSource::Remote(url),
            _ => ImageSource::Unsupported(url),
        }
    }
}

/// Whether a `null` for `key` in a message of `role` counts as the key left out: the
/// optional keys `model_dump()` writes as `null` (spec §2.3). The schema rules' key/type
/// table marks the same keys `nullable` (a test there holds the two to agree).
pub fn null_is_absent(role: Option<&str>, key: &str) -> bool {
    match role {
        Some("system" | "user") => key == "name",
        Some("assistant") => matches!(
            key,
            "refusal" | "name" | "audio" | "tool_calls" | "function_call"
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Document;

    /// The keys [`message_key_bit`] knows, in bit order.
    const MESSAGE_KEYS: [&str; 9] = [
        "role",
        "content",
        "name",
        "refusal",
        "audio",
        "tool_calls",
        "function_call",
        "weight",
        "tool_call_id",
    ];

    #[test]
    fn a_message_answers_for_known_keys_as_its_object_does() {
        let line =
            r#"{"role":"user","role":"assistant","content":null,"weight":0,"x":1,"tool_calls":[]}"#;
        let document = Document::parse(line).unwrap();
        let message = Message::new(List::Messages, 0, document.root());
        let object = document.root().as_object().unwrap();
        assert_eq!(message.role, Some("assistant"), "the last `role` wins");
        for key in MESSAGE_KEYS.iter().chain(&["x", "y"]) {
            assert_eq!(message.get(key), object.get(key), "{key}");
        }
        assert!(message.get("name").is_none() && message.get("x").is_some());
        let parts = |line: &str| {
            let document = Document::parse(line).unwrap();
            Message::new(List::Messages, 0, document.root())
                .parts()
                .count()
        };
        assert_eq!(parts(r#"{"content":[{"type":"text","text":"a"}]}"#), 1);
        assert_eq!(
            parts(r#"{"content":[{}],"content":"a"}"#),
            0,
            "the last wins"
        );
        assert_eq!(parts(r#"{"content":"a","content":[{},{}]}"#), 2);
        assert_eq!(parts(r#"{"content":"a"}"#), 0);
        let other = Document::parse(r#"{"role":1}"#).unwrap();
        assert_eq!(Message::new(List::Messages, 0, other.root()).role, None);
    }

    #[test]
    fn each_message_key_has_its_own_bit() {
        for (index, key) in MESSAGE_KEYS.iter().enumerate() {
            assert_eq!(message_key_bit(key), Some(1 << index), "{key}");
        }
        assert_eq!(message_key_bit("x"), None);
    }

    #[test]
    fn the_key_set_costs_a_message_no_memory() {
        assert!(
            size_of::<Message<'_>>() <= 48,
            "{}",
            size_of::<Message<'_>>()
        );
    }
}
