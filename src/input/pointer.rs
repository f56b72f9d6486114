//! RFC 6901 JSON pointers, and their lazy resolution to a byte span in the raw line.
//!
//! Rules report *where* by pointer (`/messages/2/content/1/image_url/detail`); only when a
//! diagnostic is emitted is the pointer walked through the raw text to find the byte range
//! for the underline and the column. Parsing never pays for span bookkeeping.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// An RFC 6901 JSON pointer, kept in its escaped string form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct JsonPointer(String);

impl JsonPointer {
    /// The whole document (`""`).
    pub fn root() -> Self {
        Self(String::new())
    }

    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        let mut s = String::with_capacity(self.0.len() + key.len() + 1);
        s.push_str(&self.0);
        s.push('/');
        for c in key.chars() {
            match c {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => s.push(c),
            }
        }
        Self(s)
    }

    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        Self(format!("{}/{index}", self.0))
    }

    /// This pointer followed by `suffix`, an RFC 6901 pointer in its escaped form (`""` or
    /// `/a/0`), such as a JSON Schema validator reports for a value inside this one.
    #[must_use]
    pub fn join(&self, suffix: &str) -> Self {
        if suffix.is_empty() || suffix.starts_with('/') {
            Self(format!("{}{suffix}", self.0))
        } else {
            Self(format!("{}/{suffix}", self.0))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The pointer of the value that holds this one; `None` for the root.
    pub fn parent(&self) -> Option<Self> {
        self.0
            .rsplit_once('/')
            .map(|(parent, _)| Self(parent.to_owned()))
    }

    /// The unescaped reference tokens.
    pub fn tokens(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.0.split('/').skip(1).map(|t| {
            if t.contains('~') {
                Cow::Owned(t.replace("~1", "/").replace("~0", "~"))
            } else {
                Cow::Borrowed(t)
            }
        })
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A pointer being walked: a chain of segments on the stack, turned into a [`JsonPointer`]
/// only when a diagnostic needs one. Visiting every node of every line must not allocate.
#[derive(Debug, Clone, Copy)]
pub enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    #[must_use]
    pub fn key(&'p self, key: &'p str) -> Path<'p> {
        Path::Key(self, key)
    }

    #[must_use]
    pub fn index(&'p self, index: usize) -> Path<'p> {
        Path::Index(self, index)
    }

    pub fn to_pointer(&self) -> JsonPointer {
        match self {
            Path::Root => JsonPointer::root(),
            Path::Key(parent, key) => parent.to_pointer().key(key),
            Path::Index(parent, index) => parent.to_pointer().index(*index),
        }
    }
}

/// Which part of an object member a diagnostic points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpanTarget {
    /// The value (the usual case).
    #[default]
    Value,
    /// The member's key, for findings about the key itself (`unknown-field`).
    Key,
}

/// The byte range in `line` of the value (or key) `pointer` names, or `None` when the line
/// does not hold it. With duplicate keys the last member wins, as in [`crate::json::Object::get`].
pub fn resolve(line: &str, pointer: &JsonPointer, target: SpanTarget) -> Option<Range<usize>> {
    let mut scanner = Scanner {
        bytes: line.as_bytes(),
        pos: 0,
    };
    scanner.skip_ws();
    let mut key_span = None;
    for token in pointer.tokens() {
        match scanner.peek()? {
            b'{' => {
                let (key, value_start) = scanner.find_member(&token)?;
                key_span = Some(key);
                scanner.pos = value_start;
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                scanner.pos = scanner.find_element(index)?;
                key_span = None;
            }
            _ => return None,
        }
    }
    match target {
        SpanTarget::Key if key_span.is_some() => key_span,
        _ => {
            let start = scanner.pos;
            scanner.skip_value()?;
            Some(start..scanner.pos)
        }
    }
}

/// The byte offset in `token`, a JSON string as written in the line (quotes and escapes
/// included), of byte `decoded` of the string's value: a position inside a string that holds
/// JSON (tool-call `arguments`) mapped back to the line. An offset inside an escape's decoded
/// character maps to the escape's start; one past the end maps to the closing quote.
pub fn offset_in_string(token: &str, decoded: usize) -> usize {
    let bytes = token.as_bytes();
    let (mut raw, mut value) = (1, 0);
    while raw + 1 < bytes.len() && value < decoded {
        let (raw_len, value_len) = match bytes[raw] {
            b'\\' => match bytes.get(raw + 1) {
                Some(b'u') => unicode_escape(&bytes[raw..]),
                _ => (2, 1),
            },
            _ => (1, 1),
        };
        if value + value_len > decoded {
            break;
        }
        raw += raw_len;
        value += value_len;
    }
    raw.min(bytes.len().saturating_sub(1))
}

/// A `\uXXXX` escape (or a surrogate pair of two) at the start of `bytes`: its length in
/// the line and the length of the UTF-8 it decodes to.
fn unicode_escape(bytes: &[u8]) -> (usize, usize) {
    let unit = |at: usize| {
        let hex = std::str::from_utf8(bytes.get(at + 2..at + 6)?).ok()?;
        u32::from_str_radix(hex, 16).ok()
    };
    match unit(0) {
        Some(0xD800..=0xDBFF) => {
            let low = (bytes.get(6..8) == Some(&b"\\u"[..]))
                .then(|| unit(6))
                .flatten();
            match low {
                Some(0xDC00..=0xDFFF) => (12, 4),
                // serde_json rejects a lone surrogate; count it as U+FFFD, 3 bytes.
                _ => (6, 3),
            }
        }
        Some(code) => (6, char::from_u32(code).map_or(3, char::len_utf8)),
        None => (2, 1),
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// With `pos` on `{`: the last member named `name`, as (key span, value start).
    fn find_member(&mut self, name: &str) -> Option<(Range<usize>, usize)> {
        self.pos += 1;
        let mut found = None;
        loop {
            self.skip_ws();
            match self.peek()? {
                b'}' => return found,
                b',' => self.pos += 1,
                b'"' => {
                    let key = self.skip_string()?;
                    self.expect(b':')?;
                    self.skip_ws();
                    if decode_key(&self.bytes[key.clone()]).as_deref() == Some(name) {
                        found = Some((key, self.pos));
                    }
                    self.skip_value()?;
                }
                _ => return None,
            }
        }
    }

    /// With `pos` on `[`: the start of element `index`.
    fn find_element(&mut self, index: usize) -> Option<usize> {
        self.pos += 1;
        let mut seen = 0;
        loop {
            self.skip_ws();
            match self.peek()? {
                b']' => return None,
                b',' => self.pos += 1,
                _ => {
                    if seen == index {
                        return Some(self.pos);
                    }
                    self.skip_value()?;
                    seen += 1;
                }
            }
        }
    }

    /// Skips one value starting at `pos` (no leading whitespace).
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string().map(drop),
            b'{' | b'[' => {
                // Brackets balance outside strings, so a depth count is enough to skip.
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                let rest = &self.bytes[self.pos..];
                let len = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
                    .unwrap_or(rest.len());
                (len > 0).then(|| self.pos += len)
            }
        }
    }

    /// Skips a string starting at `pos` (on its opening quote); returns its span with quotes.
    fn skip_string(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        let mut at = self.pos + 1;
        loop {
            at += memchr::memchr2(b'"', b'\\', self.bytes.get(at..)?)?;
            if self.bytes[at] == b'\\' {
                at += 2;
            } else {
                self.pos = at + 1;
                return Some(start..self.pos);
            }
        }
    }
}

/// A key's text with its quotes and escapes removed.
fn decode_key(quoted: &[u8]) -> Option<Cow<'_, str>> {
    let inner = std::str::from_utf8(quoted.get(1..quoted.len() - 1)?).ok()?;
    if inner.contains('\\') {
        serde_json::from_slice::<String>(quoted)
            .ok()
            .map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn all_pointers(value: &Value, at: &JsonPointer, out: &mut Vec<JsonPointer>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => map
                .iter()
                .for_each(|(k, v)| all_pointers(v, &at.key(k), out)),
            Value::Array(items) => {
                items
                    .iter()
                    .enumerate()
                    .for_each(|(i, v)| all_pointers(v, &at.index(i), out));
            }
            _ => {}
        }
    }

    /// Every pointer reachable in the parsed value resolves to text that parses back to
    /// the same value.
    #[test]
    fn every_pointer_resolves_to_its_own_value() {
        let lines = [
            r#"{"messages":[{"role":"user","content":[{"type":"text","text":"a \"quoted\" }] text"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]},{"role":"assistant","content":"ok","weight":1}]}"#,
            r#" { "a/b" : [ 1 , 2.5e3 , -3 , true , null ] , "t~x" : { "" : "\u00e9\\" } , "ü": "é" } "#,
            r#"{"nested":[[[]],[{}],{"k":[{"k":"v"}]}],"esc\"key":"v"}"#,
        ];
        for line in lines {
            let value: Value = serde_json::from_str(line).unwrap();
            let mut pointers = Vec::new();
            all_pointers(&value, &JsonPointer::root(), &mut pointers);
            for pointer in pointers {
                let span = resolve(line, &pointer, SpanTarget::Value)
                    .unwrap_or_else(|| panic!("{pointer} not resolved in {line}"));
                let reparsed: Value = serde_json::from_str(&line[span]).unwrap();
                assert_eq!(
                    Some(&reparsed),
                    value.pointer(pointer.as_str()),
                    "{pointer}"
                );
            }
        }
    }

    #[test]
    fn key_target_points_at_the_key_and_duplicates_resolve_to_the_last() {
        let line = r#"{"role":"user","role":"system"}"#;
        let ptr = JsonPointer::root().key("role");
        assert_eq!(
            &line[resolve(line, &ptr, SpanTarget::Key).unwrap()],
            r#""role""#
        );
        assert_eq!(
            &line[resolve(line, &ptr, SpanTarget::Value).unwrap()],
            r#""system""#
        );
    }

    #[test]
    fn missing_members_and_broken_text_give_none() {
        let ptr = JsonPointer::root().key("messages").index(3);
        assert_eq!(
            resolve(r#"{"messages":[1,2]}"#, &ptr, SpanTarget::Value),
            None
        );
        assert_eq!(resolve(r#"{"messages":[1,"#, &ptr, SpanTarget::Value), None);
        assert_eq!(
            resolve(r#"{"messages":"x"}"#, &ptr, SpanTarget::Value),
            None
        );
    }

    #[test]
    fn offsets_in_a_string_map_through_its_escapes() {
        // The line text of the string "{\"a\": \"é\u00e9😀\ud83d\ude00x\"}".
        let token = r#""{\"a\": \"é\u00e9😀\ud83d\ude00x\"}""#;
        let value: String = serde_json::from_str(token).unwrap();
        for (at, _) in value.char_indices().chain([(value.len(), ' ')]) {
            let raw = offset_in_string(token, at);
            let rest: String = serde_json::from_str(&format!("\"{}", &token[raw..])).unwrap();
            assert_eq!(rest, value[at..], "decoded offset {at}");
        }
    }

    #[test]
    fn joined_pointers_keep_their_escapes() {
        let base = JsonPointer::root().key("messages").index(2);
        assert_eq!(base.join("").as_str(), "/messages/2");
        assert_eq!(base.join("/a~1b/0").as_str(), "/messages/2/a~1b/0");
    }

    #[test]
    fn pointer_escapes_round_trip() {
        let ptr = JsonPointer::root().key("a/b").key("m~n").index(0);
        assert_eq!(ptr.as_str(), "/a~1b/m~0n/0");
        assert_eq!(ptr.tokens().collect::<Vec<_>>(), ["a/b", "m~n", "0"]);
    }
}
