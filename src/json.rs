//! A borrowed JSON tree for one example line.
//!
//! `serde_json::Value` copies every string; a training line carries megabytes of base64,
//! so this tree borrows unescaped strings straight from the line. Objects keep their keys
//! in order and keep duplicates, so `duplicate-key` can see them; lookups return the last
//! occurrence, which is what Python's `json` (the platform's likely parser) keeps.

mod long_strings;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use self::long_strings::Cut;

#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// A JSON number, keeping apart integers and floats: `1` and `1.0` differ for `weight`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => write!(f, "{n}"),
            Number::UInt(n) => write!(f, "{n}"),
            Number::Float(n) => write!(f, "{n:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a> {
    entries: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Object<'a> {
    /// The value of `key`; with duplicate keys, the last one (as Python's `json` keeps).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// Every entry in source order, duplicates included.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> Json<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The type's name with its article, for messages: "an object", "a string", "null".
    pub fn type_phrase(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(Number::Float(_)) => "a number",
            Json::Number(_) => "an integer",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// A short rendering of a scalar for messages (`"tool"`, `3`, `null`); containers give
    /// their type, and long strings are cut: messages name values, they don't echo payloads.
    pub fn describe(&self) -> String {
        match self {
            Json::Null => "null".to_owned(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.to_string(),
            Json::String(s) => {
                const MAX: usize = 40;
                match s.char_indices().nth(MAX) {
                    Some((cut, _)) => format!("\"{}…\"", &s[..cut]),
                    None => format!("{:?}", s.as_ref()),
                }
            }
            Json::Array(_) => "an array".to_owned(),
            Json::Object(_) => "an object".to_owned(),
        }
    }

    /// Parses one line. Strings without escapes borrow from `text`. Long strings are cut
    /// out first ([`long_strings`]); a line that does not parse is parsed again whole, so
    /// its error is serde_json's on the line as written.
    pub fn parse(text: &'a str) -> Result<Json<'a>, serde_json::Error> {
        if let Some(cut) = Cut::of(text)
            && let Ok(json) = parse_with(&cut.text, &cut)
        {
            return Ok(json);
        }
        parse_with(text, Same)
    }
}

fn parse_with<'de, 'a, B: Borrow<'de, 'a>>(
    text: &'de str,
    strings: B,
) -> Result<Json<'a>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed::new(strings).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// How a string serde_json borrows from the text it parses becomes one of the tree's.
trait Borrow<'de, 'a>: Copy {
    fn borrowed(self, piece: &'de str) -> Cow<'a, str>;
}

/// The text parsed is the line itself.
#[derive(Clone, Copy)]
struct Same;

impl<'a> Borrow<'a, 'a> for Same {
    fn borrowed(self, piece: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(piece)
    }
}

/// The text parsed is the line with its long strings cut: each piece is mapped back.
impl<'de, 'a> Borrow<'de, 'a> for &Cut<'a> {
    fn borrowed(self, piece: &'de str) -> Cow<'a, str> {
        self.original(piece)
            .map_or_else(|| Cow::Owned(piece.to_owned()), Cow::Borrowed)
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Seed::new(Same).deserialize(deserializer)
    }
}

/// Builds a [`Json`] tree whose strings `B` borrows.
#[derive(Clone, Copy)]
struct Seed<'a, B> {
    strings: B,
    tree: PhantomData<fn() -> Json<'a>>,
}

impl<B> Seed<'_, B> {
    fn new(strings: B) -> Self {
        Seed {
            strings,
            tree: PhantomData,
        }
    }
}

impl<'de, 'a, B: Borrow<'de, 'a>> DeserializeSeed<'de> for Seed<'a, B> {
    type Value = Json<'a>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json<'a>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'a, B: Borrow<'de, 'a>> Visitor<'de> for Seed<'a, B> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Json::Number(Number::Int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Json::Number(Number::UInt(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Json::Number(Number::Float(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::String(self.strings.borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key_seed(Key(self))? {
            entries.push((key, map.next_value_seed(self)?));
        }
        Ok(Json::Object(Object { entries }))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a, B>(Seed<'a, B>);

impl<'de, 'a, B: Borrow<'de, 'a>> DeserializeSeed<'de> for Key<'a, B> {
    type Value = Cow<'a, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'a, B: Borrow<'de, 'a>> Visitor<'de> for Key<'a, B> {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(self.0.strings.borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let line = r#"{"url":"data:image/png;base64,AAAA","esc":"a\nb"}"#;
        let json = Json::parse(line).unwrap();
        let obj = json.as_object().unwrap();
        assert!(matches!(
            obj.get("url"),
            Some(Json::String(Cow::Borrowed(_)))
        ));
        assert_eq!(obj.get_str("esc"), Some("a\nb"));
    }

    /// Parses `text` whole, as serde_json alone would.
    fn parse_whole(text: &str) -> Result<Json<'_>, serde_json::Error> {
        parse_with(text, Same)
    }

    #[test]
    fn long_strings_parse_to_the_same_borrowed_tree() {
        let payload = format!("data:image/png;base64,{}", "iVBO".repeat(1000));
        let line = format!(
            r#"{{"messages":[{{"role":"user","content":[{{"type":"image_url","image_url":{{"url":"{payload}"}}}},{{"type":"text","text":"é\u00e9 {payload}"}}]}}],"{payload}":1}}"#
        );
        let json = Json::parse(&line).unwrap();
        assert_eq!(json, parse_whole(&line).unwrap());
        let url = &json
            .as_object()
            .unwrap()
            .get("messages")
            .unwrap()
            .as_array()
            .unwrap()[0]
            .as_object()
            .unwrap()
            .get("content")
            .unwrap()
            .as_array()
            .unwrap()[0];
        let url = url.as_object().unwrap().get("image_url").unwrap();
        let Some(Json::String(Cow::Borrowed(url))) = url.as_object().unwrap().get("url") else {
            panic!("not borrowed: {url:?}");
        };
        assert_eq!(url.as_ptr(), line[line.find("data:").unwrap()..].as_ptr());
        assert_eq!(*url, payload);
    }

    #[test]
    fn lines_with_long_strings_fail_as_serde_json_fails_on_them() {
        let long = "A".repeat(5000);
        for line in [
            format!(r#"{{"a":"{long}","b":}}"#),
            format!(r#"{{"a":"{long}"}} x"#),
            format!(r#"{{"a":"{long}","a":"{long}"#),
            format!(r#"["{long}" "{long}"]"#),
            format!(r#"{{"{long}"}}"#),
            format!(r#"{long}"{long}""#),
            format!("{}\"{long}\"{}", "[".repeat(200), "]".repeat(200)),
        ] {
            let (cut, whole) = (Json::parse(&line), parse_whole(&line));
            assert_eq!(
                cut.as_ref().map_err(ToString::to_string),
                whole.as_ref().map_err(ToString::to_string),
                "{}",
                &line[..40]
            );
            assert!(whole.is_err());
        }
    }

    #[test]
    fn duplicate_keys_are_kept_and_lookup_takes_the_last() {
        let json = Json::parse(r#"{"a":1,"a":2}"#).unwrap();
        let obj = json.as_object().unwrap();
        assert_eq!(obj.len(), 2);
        assert_eq!(obj.get("a"), Some(&Json::Number(Number::UInt(2))));
    }

    #[test]
    fn integers_and_floats_stay_apart() {
        assert_eq!(Json::parse("1").unwrap(), Json::Number(Number::UInt(1)));
        assert_eq!(
            Json::parse("1.0").unwrap(),
            Json::Number(Number::Float(1.0))
        );
        assert_eq!(Json::parse("-1").unwrap(), Json::Number(Number::Int(-1)));
    }

    #[test]
    fn trailing_characters_and_deep_nesting_are_errors_not_panics() {
        assert!(Json::parse(r#"{"a":1} {"b":2}"#).is_err());
        let deep = "[".repeat(100_000);
        assert!(Json::parse(&deep).is_err());
    }

    #[test]
    fn describe_cuts_long_strings() {
        let long = Json::String(Cow::Owned("x".repeat(100)));
        assert_eq!(long.describe(), format!("\"{}…\"", "x".repeat(40)));
        assert_eq!(Json::String(Cow::Borrowed("tool")).describe(), "\"tool\"");
    }
}
