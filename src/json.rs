//! Borrowed JSON for one example line, laid out flat.
//!
//! `serde_json::Value` copies every string and gives every value 32 bytes or more (plus a
//! heap block per array and object); a training line carries megabytes of base64, and a
//! hostile one millions of tiny values. A [`Document`] is the line plus a tape: one flat
//! `Vec<u32>` in which each value takes one to three words (a small integer or a `null` one,
//! a string two: its length and where it starts in the line), and each array or object two
//! words before its elements (their count, and where the tape goes on after them). Strings
//! without escapes are read from the line itself; the few with escapes are unescaped once
//! into one side buffer. A line of 50 M small integers costs about twice its size on the
//! tape, not sixteen times.
//!
//! What rules read are [`Json`] values: small copies (a scalar, or a string slice, or a
//! handle on an array or object of the tape) made as they are read. Objects keep their keys
//! in order and keep duplicates, so `duplicate-key` can see them; lookups return the last
//! occurrence, which is what Python's `json` (the platform's likely parser) keeps.

mod long_strings;

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

use self::long_strings::Cut;

/// One parsed line: the line, its tape and its unescaped strings.
pub struct Document<'a> {
    /// The line as written: strings without escapes are slices of it.
    text: &'a str,
    /// Strings with escapes, unescaped, one after another.
    unescaped: String,
    words: Vec<u32>,
}

/// A JSON value read from a [`Document`].
#[derive(Clone, Copy)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(&'a str),
    Array(Array<'a>),
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

/// The tape's layout. A value's first word holds its kind in the top four bits and a
/// 28-bit payload below.
mod tape {
    pub(super) const KIND_SHIFT: u32 = 28;
    pub(super) const PAYLOAD: u32 = (1 << KIND_SHIFT) - 1;

    pub(super) const NULL: u32 = 0;
    pub(super) const FALSE: u32 = 1;
    pub(super) const TRUE: u32 = 2;
    /// A non-negative integer below 2^28 in the payload.
    pub(super) const SMALL_UINT: u32 = 3;
    /// A negative integer above -2^28, its magnitude in the payload.
    pub(super) const SMALL_NEG: u32 = 4;
    /// Other numbers: two words follow, the low and high halves of the `u64`, `i64` or
    /// `f64` bits.
    pub(super) const UINT: u32 = 5;
    pub(super) const INT: u32 = 6;
    pub(super) const FLOAT: u32 = 7;
    /// A string of the line: its length in the payload, its start in the next word.
    pub(super) const LINE_STR: u32 = 8;
    /// An unescaped string: the same, in [`super::Document::unescaped`].
    pub(super) const UNESCAPED_STR: u32 = 9;
    /// A string of 2^28 bytes or more: start and length in the next two words; the
    /// payload is 1 when it is unescaped.
    pub(super) const LONG_STR: u32 = 10;
    /// An array or object: the payload is the number of elements (members), or
    /// [`MANY`] when that does not fit; the next word is where the tape goes on after
    /// it. Its elements (for an object, each key then its value) follow.
    pub(super) const ARRAY: u32 = 11;
    pub(super) const OBJECT: u32 = 12;
    pub(super) const MANY: u32 = PAYLOAD;
    /// Words before a container's first element.
    pub(super) const HEADER: usize = 2;

    pub(super) fn kind(word: u32) -> u32 {
        word >> KIND_SHIFT
    }

    pub(super) fn payload(word: u32) -> u32 {
        word & PAYLOAD
    }

    pub(super) fn word(kind: u32, payload: u32) -> u32 {
        kind << KIND_SHIFT | payload
    }
}

/// The empty document [`Array::default`] and [`Object::default`] point into.
static EMPTY: Document<'static> = Document {
    text: "",
    unescaped: String::new(),
    words: Vec::new(),
};

impl<'a> Document<'a> {
    /// Parses one line. Strings without escapes borrow from `text`. Long strings are cut
    /// out first ([`long_strings`]); a line that does not parse is parsed again whole, so
    /// its error is serde_json's on the line as written.
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        if let Some(cut) = Cut::of(text)
            && let Ok(document) = parse_with(text, &cut.text, &cut)
        {
            return Ok(document);
        }
        parse_with(text, text, Same(text))
    }

    /// The line's value.
    pub fn root(&self) -> Json<'_> {
        self.value_at(0)
    }

    /// The value whose first word is at `at`.
    fn value_at(&self, at: usize) -> Json<'_> {
        self.read(at).0
    }

    /// The value whose first word is at `at`, and the index of the word after it.
    fn read(&self, at: usize) -> (Json<'_>, usize) {
        let word = self.words[at];
        let payload = tape::payload(word);
        match tape::kind(word) {
            tape::NULL => (Json::Null, at + 1),
            tape::FALSE => (Json::Bool(false), at + 1),
            tape::TRUE => (Json::Bool(true), at + 1),
            tape::SMALL_UINT => (Json::Number(Number::UInt(payload.into())), at + 1),
            tape::SMALL_NEG => (Json::Number(Number::Int(-i64::from(payload))), at + 1),
            kind @ (tape::UINT | tape::INT | tape::FLOAT) => {
                let bits = u64::from(self.words[at + 1]) | u64::from(self.words[at + 2]) << 32;
                let number = match kind {
                    tape::UINT => Number::UInt(bits),
                    tape::INT => Number::Int(i64::from_ne_bytes(bits.to_ne_bytes())),
                    _ => Number::Float(f64::from_bits(bits)),
                };
                (Json::Number(number), at + 3)
            }
            tape::LINE_STR => (
                Json::String(self.line_str(self.words[at + 1], payload)),
                at + 2,
            ),
            tape::UNESCAPED_STR => (
                Json::String(self.unescaped_str(self.words[at + 1], payload)),
                at + 2,
            ),
            tape::LONG_STR => {
                let (start, len) = (self.words[at + 1], self.words[at + 2]);
                let string = if payload == 1 {
                    self.unescaped_str(start, len)
                } else {
                    self.line_str(start, len)
                };
                (Json::String(string), at + 3)
            }
            kind => {
                let container = self.container(at);
                let end = container.end as usize;
                if kind == tape::ARRAY {
                    (Json::Array(Array(container)), end)
                } else {
                    (Json::Object(Object(container)), end)
                }
            }
        }
    }

    fn line_str(&self, start: u32, len: u32) -> &str {
        let start = start as usize;
        &self.text[start..start + len as usize]
    }

    fn unescaped_str(&self, start: u32, len: u32) -> &str {
        let start = start as usize;
        &self.unescaped[start..start + len as usize]
    }

    fn container(&self, at: usize) -> Container<'_> {
        Container {
            document: self,
            // The tape's length fits a `u32` (checked as it is built).
            first: u32::try_from(at + tape::HEADER).unwrap_or(u32::MAX),
            end: self.words[at + 1],
        }
    }

    /// Whether the string at `at` (an object key) is `key`; compares lengths first, so most
    /// keys are told apart by one word.
    #[inline]
    fn key_is(&self, at: usize, key: &str) -> bool {
        let word = self.words[at];
        let (start, len, unescaped) = match tape::kind(word) {
            tape::LINE_STR => (self.words[at + 1], tape::payload(word), false),
            tape::UNESCAPED_STR => (self.words[at + 1], tape::payload(word), true),
            tape::LONG_STR => (
                self.words[at + 1],
                self.words[at + 2],
                tape::payload(word) == 1,
            ),
            _ => return false,
        };
        if len as usize != key.len() {
            return false;
        }
        let source = if unescaped {
            self.unescaped.as_bytes()
        } else {
            self.text.as_bytes()
        };
        let start = start as usize;
        source.get(start..start + key.len()) == Some(key.as_bytes())
    }

    /// The index of the word after the value at `at`.
    #[inline]
    fn skip(&self, at: usize) -> usize {
        let word = self.words[at];
        match tape::kind(word) {
            tape::UINT | tape::INT | tape::FLOAT | tape::LONG_STR => at + 3,
            tape::LINE_STR | tape::UNESCAPED_STR => at + 2,
            tape::ARRAY | tape::OBJECT => self.words[at + 1] as usize,
            _ => at + 1,
        }
    }
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root().fmt(f)
    }
}

/// The elements of an array or the members of an object: the tape from `first` to `end`.
#[derive(Clone, Copy)]
struct Container<'a> {
    document: &'a Document<'a>,
    first: u32,
    end: u32,
}

impl<'a> Container<'a> {
    fn empty() -> Self {
        Container {
            document: &EMPTY,
            first: 0,
            end: 0,
        }
    }

    /// Values in order (an object's keys and values alternate).
    fn values(self) -> Values<'a> {
        Values {
            document: self.document,
            at: self.first as usize,
            end: self.end as usize,
        }
    }

    /// The count in the header, or `None` when it did not fit there.
    fn counted(self) -> Option<usize> {
        if self.first == self.end {
            return Some(0);
        }
        let header = self.document.words[self.first as usize - tape::HEADER];
        let count = tape::payload(header);
        (count != tape::MANY).then_some(count as usize)
    }
}

/// The values of a stretch of the tape, in order: an array's elements.
#[derive(Clone)]
pub struct Values<'a> {
    document: &'a Document<'a>,
    at: usize,
    end: usize,
}

impl<'a> Iterator for Values<'a> {
    type Item = Json<'a>;

    fn next(&mut self) -> Option<Json<'a>> {
        if self.at >= self.end {
            return None;
        }
        let (value, next) = self.document.read(self.at);
        self.at = next;
        Some(value)
    }
}

/// A JSON array of a [`Document`].
#[derive(Clone, Copy)]
pub struct Array<'a>(Container<'a>);

impl Default for Array<'_> {
    fn default() -> Self {
        Array(Container::empty())
    }
}

impl<'a> Array<'a> {
    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = Json<'a>> + Clone + use<'a> {
        self.0.values()
    }

    pub fn len(&self) -> usize {
        self.0.counted().unwrap_or_else(|| self.iter().count())
    }

    pub fn is_empty(&self) -> bool {
        self.0.first == self.0.end
    }

    pub fn get(&self, index: usize) -> Option<Json<'a>> {
        self.iter().nth(index)
    }

    pub fn first(&self) -> Option<Json<'a>> {
        self.iter().next()
    }

    pub fn last(&self) -> Option<Json<'a>> {
        self.iter().last()
    }
}

impl<'a> IntoIterator for Array<'a> {
    type Item = Json<'a>;
    type IntoIter = Values<'a>;

    fn into_iter(self) -> Values<'a> {
        self.0.values()
    }
}

/// A JSON object of a [`Document`].
#[derive(Clone, Copy)]
pub struct Object<'a>(Container<'a>);

impl Default for Object<'_> {
    fn default() -> Self {
        Object(Container::empty())
    }
}

impl<'a> Object<'a> {
    /// The value of `key`; with duplicate keys, the last one (as Python's `json` keeps).
    #[inline]
    pub fn get(&self, key: &str) -> Option<Json<'a>> {
        let document = self.0.document;
        let mut found = None;
        self.each_value_of(key, |value| {
            found = Some(value);
            true
        });
        found.map(|value| document.value_at(value))
    }

    #[inline]
    pub fn contains_key(&self, key: &str) -> bool {
        let mut found = false;
        self.each_value_of(key, |_| {
            found = true;
            false
        });
        found
    }

    /// Calls `f` with where the value of each member keyed `key` starts, in order, while it
    /// returns true. Rules look up a dozen keys per message, most of them absent: a member
    /// whose key word (kind and length) differs from the key's is passed over on that one
    /// word, without decoding it.
    #[inline]
    fn each_value_of(&self, key: &str, mut f: impl FnMut(usize) -> bool) {
        let document = self.0.document;
        // The two first words a key equal to `key` can have; a key of 2^28 bytes or more
        // has a third kind (`LONG_STR`), which `key_is` reads.
        let short = u32::try_from(key.len())
            .ok()
            .filter(|&len| len < tape::PAYLOAD)
            .map(|len| {
                (
                    tape::word(tape::LINE_STR, len),
                    tape::word(tape::UNESCAPED_STR, len),
                )
            });
        let end = self.0.end as usize;
        let mut at = self.0.first as usize;
        while at < end {
            let word = document.words[at];
            let value = if tape::kind(word) == tape::LONG_STR {
                at + 3
            } else {
                at + 2
            };
            let may_match = short.is_none_or(|(line, unescaped)| word == line || word == unescaped);
            if may_match && document.key_is(at, key) && !f(value) {
                return;
            }
            at = document.skip(value);
        }
    }

    #[inline]
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Json::as_str)
    }

    /// Every entry in source order, duplicates included.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Json<'a>)> + Clone + use<'a> {
        let mut values = self.0.values();
        std::iter::from_fn(move || {
            let key = values.next()?.as_str().unwrap_or_default();
            Some((key, values.next()?))
        })
    }

    /// The keys in source order, duplicates included. Their values are passed over on
    /// their first words, not read: rules that judge keys alone compare each with others.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + Clone + use<'a> {
        let document = self.0.document;
        let (mut at, end) = (self.0.first as usize, self.0.end as usize);
        std::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            let (key, value) = document.read(at);
            at = document.skip(value);
            Some(key.as_str().unwrap_or_default())
        })
    }

    pub fn len(&self) -> usize {
        self.0.counted().unwrap_or_else(|| self.iter().count())
    }

    pub fn is_empty(&self) -> bool {
        self.0.first == self.0.end
    }
}

impl<'a> Json<'a> {
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(self) -> Option<Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(self) -> Option<Array<'a>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_null(self) -> bool {
        matches!(self, Json::Null)
    }

    /// The type's name with its article, for messages: "an object", "a string", "null".
    pub fn type_phrase(self) -> &'static str {
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
    pub fn describe(self) -> String {
        match self {
            Json::Null => "null".to_owned(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.to_string(),
            Json::String(s) => describe_str(s),
            Json::Array(_) => "an array".to_owned(),
            Json::Object(_) => "an object".to_owned(),
        }
    }
}

/// A string as [`Json::describe`] shows it: quoted, cut after 40 characters.
pub fn describe_str(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("\"{}…\"", &s[..cut]),
        None => format!("{s:?}"),
    }
}

impl PartialEq for Json<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (*self, *other) {
            (Json::Null, Json::Null) => true,
            (Json::Bool(a), Json::Bool(b)) => a == b,
            (Json::Number(a), Json::Number(b)) => a == b,
            (Json::String(a), Json::String(b)) => a == b,
            (Json::Array(a), Json::Array(b)) => a == b,
            (Json::Object(a), Json::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for Array<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl PartialEq for Object<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("Null"),
            Json::Bool(b) => write!(f, "Bool({b})"),
            Json::Number(n) => write!(f, "Number({n:?})"),
            Json::String(s) => write!(f, "String({s:?})"),
            Json::Array(a) => a.fmt(f),
            Json::Object(o) => o.fmt(f),
        }
    }
}

impl fmt::Debug for Array<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl fmt::Debug for Object<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Parses `parsed` (the line `line`, or it with its long strings cut) onto a tape.
fn parse_with<'de, 'a, B: Borrow<'de>>(
    line: &'a str,
    parsed: &'de str,
    strings: B,
) -> Result<Document<'a>, serde_json::Error> {
    // Offsets into the line and the tape are `u32`s: lines are bounded far below 4 GiB
    // (`max_line_bytes`), but the tape must never wrap.
    if u32::try_from(line.len()).is_err() {
        return Err(serde_json::Error::custom("line too long to parse"));
    }
    let mut document = Document {
        text: line,
        unescaped: String::new(),
        // A training line takes about one word per 16 bytes: reserving that saves most lines
        // the tape's regrowths (5% of a text-only check's instructions). Capped, so a long
        // line of base64 (a few words) reserves no more than 256 KiB.
        words: Vec::with_capacity((line.len() / 16 + 8).min(1 << 16)),
    };
    let mut de = serde_json::Deserializer::from_str(parsed);
    Builder {
        words: &mut document.words,
        unescaped: &mut document.unescaped,
        strings,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(document)
}

/// Where a string serde_json borrows from the text it parses lies in the line.
trait Borrow<'de>: Copy {
    /// The start and length of `piece` in the line, when it is a string of the line.
    fn in_line(self, piece: &'de str) -> Option<(usize, usize)>;
}

/// The text parsed is the line itself.
#[derive(Clone, Copy)]
struct Same<'a>(&'a str);

impl<'a> Borrow<'a> for Same<'a> {
    fn in_line(self, piece: &'a str) -> Option<(usize, usize)> {
        let start = (piece.as_ptr() as usize).checked_sub(self.0.as_ptr() as usize)?;
        Some((start, piece.len()))
    }
}

/// The text parsed is the line with its long strings cut: each piece is mapped back.
impl<'de> Borrow<'de> for &Cut<'_> {
    fn in_line(self, piece: &'de str) -> Option<(usize, usize)> {
        self.original(piece).map(|s| (self.offset_of(s), s.len()))
    }
}

/// Appends the values serde_json reads to a tape.
struct Builder<'t, B> {
    words: &'t mut Vec<u32>,
    unescaped: &'t mut String,
    strings: B,
}

impl<B: Copy> Builder<'_, B> {
    fn again(&mut self) -> Builder<'_, B> {
        Builder {
            words: self.words,
            unescaped: self.unescaped,
            strings: self.strings,
        }
    }

    fn number(&mut self, kind: u32, bits: u64) {
        let (low, high) = (bits & u64::from(u32::MAX), bits >> 32);
        self.words.extend([
            tape::word(kind, 0),
            u32::try_from(low).unwrap_or_default(),
            u32::try_from(high).unwrap_or_default(),
        ]);
    }

    /// A string of the line, or of the unescaped strings when `unescaped`.
    fn string<E: serde::de::Error>(
        &mut self,
        (start, len): (usize, usize),
        unescaped: bool,
    ) -> Result<(), E> {
        let start = u32::try_from(start).map_err(|_| E::custom("line too long to parse"))?;
        let len32 = u32::try_from(len).map_err(|_| E::custom("line too long to parse"))?;
        if len32 < tape::PAYLOAD {
            let kind = if unescaped {
                tape::UNESCAPED_STR
            } else {
                tape::LINE_STR
            };
            self.words.extend([tape::word(kind, len32), start]);
        } else {
            self.words.extend([
                tape::word(tape::LONG_STR, u32::from(unescaped)),
                start,
                len32,
            ]);
        }
        Ok(())
    }

    fn copied<E: serde::de::Error>(&mut self, v: &str) -> Result<(), E> {
        let start = self.unescaped.len();
        self.unescaped.push_str(v);
        self.string((start, v.len()), true)
    }

    /// Reserves a container's header; [`Builder::close`] fills it in.
    fn open(&mut self, kind: u32) -> usize {
        let at = self.words.len();
        self.words.extend([tape::word(kind, 0), 0]);
        at
    }

    fn close<E: serde::de::Error>(&mut self, at: usize, count: usize) -> Result<(), E> {
        let count = u32::try_from(count).map_or(tape::MANY, |count| count.min(tape::MANY));
        let end =
            u32::try_from(self.words.len()).map_err(|_| E::custom("line too long to parse"))?;
        let kind = tape::kind(self.words[at]);
        self.words[at] = tape::word(kind, count);
        self.words[at + 1] = end;
        Ok(())
    }
}

impl<'de, B: Borrow<'de>> DeserializeSeed<'de> for Builder<'_, B> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, B: Borrow<'de>> Visitor<'de> for Builder<'_, B> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.words
            .push(tape::word(if v { tape::TRUE } else { tape::FALSE }, 0));
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(mut self, v: i64) -> Result<(), E> {
        match u32::try_from(v.unsigned_abs()) {
            Ok(magnitude) if v < 0 && magnitude < tape::PAYLOAD => {
                self.words.push(tape::word(tape::SMALL_NEG, magnitude));
            }
            _ if v >= 0 => return self.visit_u64(v.unsigned_abs()),
            _ => self.number(tape::INT, u64::from_ne_bytes(v.to_ne_bytes())),
        }
        Ok(())
    }
    fn visit_u64<E>(mut self, v: u64) -> Result<(), E> {
        match u32::try_from(v) {
            Ok(small) if small < tape::PAYLOAD => {
                self.words.push(tape::word(tape::SMALL_UINT, small));
            }
            _ => self.number(tape::UINT, v),
        }
        Ok(())
    }
    fn visit_f64<E>(mut self, v: f64) -> Result<(), E> {
        self.number(tape::FLOAT, v.to_bits());
        Ok(())
    }
    fn visit_borrowed_str<E: serde::de::Error>(mut self, v: &'de str) -> Result<(), E> {
        match self.strings.in_line(v) {
            Some(span) => self.string(span, false),
            None => self.copied(v),
        }
    }
    fn visit_str<E: serde::de::Error>(mut self, v: &str) -> Result<(), E> {
        self.copied(v)
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.words.push(tape::word(tape::NULL, 0));
        Ok(())
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let at = self.open(tape::ARRAY);
        let mut count = 0_usize;
        while seq.next_element_seed(self.again())?.is_some() {
            count += 1;
        }
        self.close(at, count)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let at = self.open(tape::OBJECT);
        let mut count = 0_usize;
        while map.next_key_seed(Key(self.again()))?.is_some() {
            map.next_value_seed(self.again())?;
            count += 1;
        }
        self.close(at, count)
    }
}

/// An object key: a string of the tape.
struct Key<'t, B>(Builder<'t, B>);

impl<'de, B: Borrow<'de>> DeserializeSeed<'de> for Key<'_, B> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, B: Borrow<'de>> Visitor<'de> for Key<'_, B> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<(), E> {
        self.0.visit_borrowed_str(v)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.0.visit_str(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `s` is a slice of `line`.
    fn borrowed_from(s: &str, line: &str) -> bool {
        let (start, end) = (line.as_ptr() as usize, line.as_ptr() as usize + line.len());
        (start..=end).contains(&(s.as_ptr() as usize))
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let line = r#"{"url":"data:image/png;base64,AAAA","esc":"a\nb"}"#;
        let document = Document::parse(line).unwrap();
        let obj = document.root().as_object().unwrap();
        assert!(borrowed_from(obj.get_str("url").unwrap(), line));
        assert_eq!(obj.get_str("esc"), Some("a\nb"));
        assert!(!borrowed_from(obj.get_str("esc").unwrap(), line));
    }

    /// Parses `text` whole, as serde_json alone would.
    fn parse_whole(text: &str) -> Result<Document<'_>, serde_json::Error> {
        parse_with(text, text, Same(text))
    }

    #[test]
    fn long_strings_parse_to_the_same_borrowed_tree() {
        let payload = format!("data:image/png;base64,{}", "iVBO".repeat(1000));
        let line = format!(
            r#"{{"messages":[{{"role":"user","content":[{{"type":"image_url","image_url":{{"url":"{payload}"}}}},{{"type":"text","text":"é\u00e9 {payload}"}}]}}],"{payload}":1}}"#
        );
        let document = Document::parse(&line).unwrap();
        let whole = parse_whole(&line).unwrap();
        assert_eq!(document.root(), whole.root());
        assert_eq!(document.words, whole.words);
        let url = document
            .root()
            .as_object()
            .unwrap()
            .get("messages")
            .unwrap()
            .as_array()
            .unwrap()
            .first()
            .unwrap()
            .as_object()
            .unwrap()
            .get("content")
            .unwrap()
            .as_array()
            .unwrap()
            .first()
            .unwrap();
        let url = url.as_object().unwrap().get("image_url").unwrap();
        let url = url.as_object().unwrap().get_str("url").unwrap();
        assert_eq!(url.as_ptr(), line[line.find("data:").unwrap()..].as_ptr());
        assert_eq!(url, payload);
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
            let (cut, whole) = (Document::parse(&line), parse_whole(&line));
            assert_eq!(
                cut.as_ref().map(|_| ()).map_err(ToString::to_string),
                whole.as_ref().map(|_| ()).map_err(ToString::to_string),
                "{}",
                &line[..40]
            );
            assert!(whole.is_err());
        }
    }

    #[test]
    fn duplicate_keys_are_kept_and_lookup_takes_the_last() {
        let document = Document::parse(r#"{"a":1,"a":2}"#).unwrap();
        let obj = document.root().as_object().unwrap();
        assert_eq!(obj.len(), 2);
        assert!(obj.keys().eq(["a", "a"]));
        assert_eq!(obj.get("a"), Some(Json::Number(Number::UInt(2))));
    }

    #[test]
    fn lookups_tell_keys_of_one_length_apart_escaped_or_not() {
        let document =
            Document::parse(r#"{"role":1,"name":2,"n\u0061me":3,"tool":[4],"x":{"role":5}}"#)
                .unwrap();
        let obj = document.root().as_object().unwrap();
        let uint = |n| Some(Json::Number(Number::UInt(n)));
        assert_eq!(obj.get("name"), uint(3), "the escaped `name` comes last");
        assert_eq!(obj.get("role"), uint(1), "not the nested one");
        assert!(obj.contains_key("tool") && obj.contains_key("x"));
        assert!(!obj.contains_key("rol") && !obj.contains_key("text"));
        assert_eq!(obj.get("tools"), None);
    }

    #[test]
    fn integers_and_floats_stay_apart() {
        let root = |text: &str| Document::parse(text).unwrap().root().describe();
        let number = |text: &str| match Document::parse(text).unwrap().root() {
            Json::Number(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(number("1"), Number::UInt(1));
        assert_eq!(number("1.0"), Number::Float(1.0));
        assert_eq!(number("-1"), Number::Int(-1));
        // serde_json reads `-0` as a float (issue 17 notes Python reads the integer 0).
        assert_eq!(root("-0"), "-0.0");
        assert_eq!(root("true"), "true");
        assert_eq!(root("null"), "null");
    }

    #[test]
    fn every_value_reads_back_as_serde_json_reads_it() {
        let line = r#"{"a":[0,268435455,268435456,-268435455,-268435456,18446744073709551615,-9223372036854775808,1.5,-0.0,1e300],"b":{"":"","c\u0000":"\ud83d\ude00","d":[[],{},[{}]],"e":null,"f":true,"g":false},"a":"x"}"#;
        let document = Document::parse(line).unwrap();
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(to_value(document.root()), value);
        let b = document.root().as_object().unwrap().get("b").unwrap();
        assert_eq!(b.as_object().unwrap().len(), 6);
        let root = document.root().as_object().unwrap();
        assert!(root.keys().eq(root.iter().map(|(key, _)| key)));
        assert_eq!(
            document
                .root()
                .as_object()
                .unwrap()
                .get("a")
                .unwrap()
                .as_array(),
            None,
            "the last `a` wins"
        );
    }

    /// serde_json's value of `json` (the last of duplicate keys, as serde_json keeps).
    fn to_value(json: Json<'_>) -> serde_json::Value {
        use serde_json::Value;
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(Number::UInt(n)) => n.into(),
            Json::Number(Number::Int(n)) => n.into(),
            Json::Number(Number::Float(n)) => n.into(),
            Json::String(s) => s.into(),
            Json::Array(a) => a.iter().map(to_value).collect(),
            Json::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.to_owned(), to_value(v))).collect())
            }
        }
    }

    #[test]
    fn many_small_values_cost_a_few_bytes_each() {
        let line = format!("[{}0]", "0,".repeat(100_000));
        let document = Document::parse(&line).unwrap();
        assert_eq!(document.root().as_array().unwrap().len(), 100_001);
        assert!(document.words.len() <= 100_001 + tape::HEADER);
        let messages = format!(
            "[{}{{}}]",
            r#"{"role":"user","content":"a"},"#.repeat(10_000)
        );
        let document = Document::parse(&messages).unwrap();
        assert!(document.words.len() * 4 < messages.len() * 2);
    }

    #[test]
    fn trailing_characters_and_deep_nesting_are_errors_not_panics() {
        assert!(Document::parse(r#"{"a":1} {"b":2}"#).is_err());
        let deep = "[".repeat(100_000);
        assert!(Document::parse(&deep).is_err());
    }

    #[test]
    fn describe_cuts_long_strings() {
        let long = "x".repeat(100);
        assert_eq!(
            Json::String(&long).describe(),
            format!("\"{}…\"", "x".repeat(40))
        );
        assert_eq!(Json::String("tool").describe(), "\"tool\"");
    }

    #[test]
    fn empty_containers_by_default_are_empty() {
        assert!(Array::default().is_empty());
        assert_eq!(Array::default().iter().count(), 0);
        assert_eq!(Object::default().len(), 0);
        assert_eq!(Object::default().get("a"), None);
    }
}
