//! A parsed training example, with the views rules read: messages, content parts, images.
//!
//! Views are lenient: they show what is there and leave judging its shape to the schema
//! rules, so a rule about roles still runs when some other field is malformed. A view does
//! no work beyond reading the JSON: probing images and counting tokens are the engine's.

use crate::input::JsonPointer;
use crate::json::{Json, Object};
use crate::media::data_uri::{self, Base64Error, DataUri, DataUriError};

/// One line that parsed as a JSON object.
#[derive(Debug)]
pub struct Example<'a> {
    pub root: &'a Object<'a>,
    /// The messages, when `messages` is an array (each element, object or not).
    pub messages: Option<Vec<Message<'a>>>,
    /// Every `image_url` content part, in any message.
    pub images: Vec<ImagePart<'a>>,
}

impl<'a> Example<'a> {
    /// Reads the example's messages and image parts.
    pub fn new(root: &'a Object<'a>) -> Self {
        let messages = root.get("messages").and_then(Json::as_array).map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(index, value)| Message::new(index, value))
                .collect::<Vec<_>>()
        });
        let images = messages
            .iter()
            .flatten()
            .flat_map(Message::parts)
            .filter_map(ImagePart::new)
            .collect();
        Self {
            root,
            messages,
            images,
        }
    }

    /// The messages (empty when `messages` is missing or not an array).
    pub fn messages(&self) -> &[Message<'a>] {
        self.messages.as_deref().unwrap_or_default()
    }

    /// The http(s) image URLs, with the pointer of each.
    pub fn remote_images(
        &self,
    ) -> impl Iterator<Item = (JsonPointer, &'a str, Option<&'a Json<'a>>)> + '_ {
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

/// One element of `messages`.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub index: usize,
    pub value: &'a Json<'a>,
    /// The message, when it is an object.
    pub object: Option<&'a Object<'a>>,
    /// `role`, when it is a string.
    pub role: Option<&'a str>,
}

impl<'a> Message<'a> {
    fn new(index: usize, value: &'a Json<'a>) -> Self {
        let object = value.as_object();
        let role = object.and_then(|o| o.get_str("role"));
        Self {
            index,
            value,
            object,
            role,
        }
    }

    pub fn pointer(&self) -> JsonPointer {
        JsonPointer::root().key("messages").index(self.index)
    }

    /// The value of `key`; a `null` where the chat format makes the key optional is absent
    /// (`function_call: null` from `model_dump()`), as the key/type table says.
    pub fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        self.object?.get(key).filter(|value| {
            !(matches!(value, Json::Null)
                && crate::rules::schema::shape::message_null_is_absent(self.role, key))
        })
    }

    /// The content parts, when `content` is an array.
    pub fn parts(&self) -> impl Iterator<Item = Part<'a>> + use<'a> {
        let message = *self;
        let items = self
            .get("content")
            .and_then(Json::as_array)
            .unwrap_or_default();
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
    pub value: &'a Json<'a>,
    pub object: Option<&'a Object<'a>>,
    /// `type`, when it is a string.
    pub kind: Option<&'a str>,
}

impl<'a> Part<'a> {
    pub fn pointer(&self) -> JsonPointer {
        self.message.pointer().key("content").index(self.index)
    }

    pub fn get(&self, key: &str) -> Option<&'a Json<'a>> {
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
    pub detail: Option<&'a Json<'a>>,
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

    /// `/messages/M/content/P/image_url/url`
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
