//! Text tokens with `o200k_base`, counted the way OpenAI's cookbook counts a chat (spec §6).
//!
//! The encoder is tiktoken's merge over `o200k_base`'s rank table, laid out at build time as
//! static data ([`super::bpe`]): nothing is downloaded or built at run time. Its output is
//! OpenAI's `tiktoken` token for token;
//! `fixtures/tokens/` holds the corpus that proves it (`tests/tokens.rs`).
//!
//! Per message (CB-TOK `num_tokens_from_messages`): 3 tokens, plus every string value
//! encoded (the role too), plus 1 for a `name`; per example, 3 more for the reply's priming
//! (`<|start|>assistant<|message|>`). Where the cookbook stops, vft goes on (spec §6,
//! UNVERIFIED against server counts): content arrays count their `text` and `refusal`
//! strings and their images (§5); `tool_calls` and `function_call` count each function's
//! `name` and `arguments`; `weight` and other non-strings count nothing. Tool definitions
//! (`tools`, or the deprecated `functions`) add CB-TOK's `num_tokens_for_tools` overhead.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use regex_automata::meta::{Cache, Regex};
use regex_automata::{Anchored, Input};

use super::bpe;
use crate::json::{Json, Number, Object};

/// CB-TOK: `tokens_per_message`.
pub const TOKENS_PER_MESSAGE: u32 = 3;
/// CB-TOK: `tokens_per_name`.
pub const TOKENS_PER_NAME: u32 = 1;
/// CB-TOK: "every reply is primed with <|start|>assistant<|message|>".
pub const REPLY_PRIMING: u32 = 3;

/// CB-TOK `num_tokens_for_tools` constants for gpt-4o and gpt-4o-mini (the cookbook's only
/// o200k models; vft uses them for gpt-4.1 too).
mod tools {
    pub(super) const FUNC_INIT: i64 = 7;
    pub(super) const PROP_INIT: i64 = 3;
    pub(super) const PROP_KEY: i64 = 3;
    pub(super) const ENUM_INIT: i64 = -3;
    pub(super) const ENUM_ITEM: i64 = 3;
    pub(super) const FUNC_END: i64 = 12;
}

/// Pieces up to this many bytes have their counts cached, keyed by the bytes and the
/// length packed into one `u128`.
const CACHED_PIECE_BYTES: usize = 15;
/// Entries per worker thread's cache before it is emptied (bounds memory to a few MB).
const CACHE_ENTRIES: usize = 1 << 16;

/// o200k_base's pre-tokenizer, as `bpe-openai` writes it: tiktoken's pattern with the
/// look-ahead `\s+(?!\S)` rewritten as `\s+\s` whose last character is dropped (pattern
/// 1). vft builds its own copy so that each worker thread keeps its own regex cache;
/// the shared one inside `bpe-openai` goes through a pool on every match.
static PRE_TOKENIZER: LazyLock<Regex> = LazyLock::new(|| {
    let words = [
        "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        "\\p{N}{1,3}",
        " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
        "\\s*[\\r\\n]+",
        "\\s+$",
    ]
    .join("|");
    Regex::new_many(&[words.as_str(), "\\s+\\s", "\\s+"]).expect("the o200k_base pattern compiles")
});
/// The pattern whose match ends with one look-ahead character.
const LOOKAHEAD_PATTERN: usize = 1;

thread_local! {
    /// Token counts of the pieces the pre-tokenizer cut, per worker thread. Natural text
    /// repeats its words, and a lookup is cheaper than encoding the piece again; the count
    /// of a piece never depends on its neighbours, so this changes no result.
    static PIECE_COUNTS: RefCell<HashMap<u128, u32, BuildHasherDefault<KeyHasher>>> =
        RefCell::default();
    static REGEX_CACHE: RefCell<Cache> = RefCell::new(PRE_TOKENIZER.create_cache());
}

/// Calls `each` with every piece o200k_base's pre-tokenizer cuts `text` into (what
/// `bpe_openai::Tokenizer::split` yields), as bytes: pieces end on character boundaries,
/// and the encoder reads bytes, so slicing them as `str` would only repeat the boundary
/// checks. Pieces made only of ASCII, and decided by ASCII neighbours, are cut by hand
/// ([`ascii_piece_end`]: on ASCII the pattern's Unicode classes are plain byte ranges,
/// and this is several times faster); the regex cuts the rest.
fn split(text: &str, mut each: impl FnMut(&[u8])) {
    let bytes = text.as_bytes();
    // The first non-ASCII byte from `from` on, or the end: 16 bytes at a time (`is_ascii`
    // on a block tests whole words), then byte by byte in the block that has it.
    let first_non_ascii = |from: usize| {
        let mut at = from;
        while bytes.get(at..at + 16).is_some_and(<[u8]>::is_ascii) {
            at += 16;
        }
        at + bytes[at..]
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(bytes.len() - at)
    };
    REGEX_CACHE.with_borrow_mut(|cache| {
        let mut start = 0;
        let mut non_ascii = first_non_ascii(0);
        while start < bytes.len() {
            if non_ascii < start {
                non_ascii = first_non_ascii(start);
            }
            let end = ascii_piece_end(bytes, start, non_ascii)
                .unwrap_or_else(|| regex_piece_end(text, start, cache));
            each(&bytes[start..end]);
            start = end;
        }
    });
}

/// Where the regex ends the piece that starts at `start`.
fn regex_piece_end(text: &str, start: usize, cache: &mut Cache) -> usize {
    let input = Input::new(&text[start..]).anchored(Anchored::Yes);
    let Some(found) = PRE_TOKENIZER.search_with(cache, &input) else {
        // Every character matches `\s+` or an earlier pattern: unreachable.
        return text.len();
    };
    let mut end = start + found.end();
    if found.pattern().as_usize() == LOOKAHEAD_PATTERN {
        end -= text[start..end]
            .chars()
            .next_back()
            .map_or(0, char::len_utf8);
    }
    if end == start {
        // A zero-length piece would loop forever; the pattern never yields one.
        return text.len();
    }
    end
}

/// `\s` on ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
const fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// The classes of ASCII bytes the pattern's runs are made of, as bits of [`ASCII_CLASS`].
mod class {
    pub(super) const UPPER: u8 = 1;
    pub(super) const LOWER: u8 = 1 << 1;
    pub(super) const SPACE: u8 = 1 << 2;
    /// `[^\s\p{L}\p{N}]`
    pub(super) const SYMBOL: u8 = 1 << 3;
    /// `[\r\n/]`
    pub(super) const BREAK_OR_SLASH: u8 = 1 << 4;
}

/// Each byte's [`class`] bits (none for non-ASCII bytes): one load per byte in the runs
/// [`ascii_piece_end`] scans, which cut four in five pieces of a typical text.
static ASCII_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b: u8 = 0;
    while b < 128 {
        table[b as usize] = if b.is_ascii_uppercase() {
            class::UPPER
        } else if b.is_ascii_lowercase() {
            class::LOWER
        } else if is_space(b) {
            class::SPACE
        } else if b.is_ascii_digit() {
            0
        } else {
            class::SYMBOL
        };
        if matches!(b, b'\r' | b'\n' | b'/') {
            table[b as usize] |= class::BREAK_OR_SLASH;
        }
        b += 1;
    }
    table
};

/// Where the piece starting at `i` ends, following the pattern's alternatives in order,
/// or `None` when that depends on a byte at or past `non_ascii` (the first non-ASCII byte
/// from `i` on, or the end) that is not the end of the text.
fn ascii_piece_end(t: &[u8], i: usize, non_ascii: usize) -> Option<usize> {
    let ascii = &t[..non_ascii];
    let ends_text = non_ascii == t.len();
    // The byte at `j`; `Some(None)` at the end of the text; `None` (give up) past ASCII.
    let at = |j: usize| match ascii.get(j) {
        Some(&b) => Some(Some(b)),
        None if j >= t.len() => Some(None),
        None => None,
    };
    // Where the run of `class` bytes from `j` ends; `None` when it reaches a non-ASCII
    // byte, which may go on with it.
    let run_end = |mut j: usize, class: u8| {
        while let Some(&b) = ascii.get(j) {
            if ASCII_CLASS[usize::from(b)] & class == 0 {
                return Some(j);
            }
            j += 1;
        }
        ends_text.then_some(j)
    };
    let c = at(i)??;
    // `[^\r\n\p{L}\p{N}]?` then upper-case letters then lower-case ones (both letter
    // alternatives end after one run of upper then lower), then an English contraction.
    let prefix = !(c == b'\r' || c == b'\n' || c.is_ascii_alphanumeric());
    let letters = if prefix { i + 1 } else { i };
    if at(letters)?.is_some_and(|b| b.is_ascii_alphabetic()) {
        let j = run_end(run_end(letters, class::UPPER)?, class::LOWER)?;
        return Some(j + contraction_len(&t[j..non_ascii])?);
    }
    // `\p{N}{1,3}`
    if c.is_ascii_digit() {
        let mut j = i;
        while j < i + 3 && at(j)?.is_some_and(|b| b.is_ascii_digit()) {
            j += 1;
        }
        return Some(j);
    }
    // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
    let symbols = if c == b' ' { i + 1 } else { i };
    if at(symbols)?.is_some_and(|b| ASCII_CLASS[usize::from(b)] & class::SYMBOL != 0) {
        let j = run_end(symbols, class::SYMBOL)?;
        return run_end(j, class::BREAK_OR_SLASH);
    }
    // Whitespace: `c` is whitespace here, the run is `i..run_end`.
    let run_end = run_end(i, class::SPACE)?;
    let run = &t[i..run_end];
    // `\s*[\r\n]+`: up to and including the run's last line break.
    if let Some(last_break) = run.iter().rposition(|&b| b == b'\r' || b == b'\n') {
        return Some(i + last_break + 1);
    }
    // `\s+$`
    if run_end == t.len() {
        return Some(run_end);
    }
    // `\s+(?!\S)`: all but the last, which goes with the word after it; else `\s+`.
    Some(if run.len() >= 2 { run_end - 1 } else { run_end })
}

/// The length of `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at the start of `t` (ASCII bytes up to
/// the first non-ASCII one), or `None` when a byte past `t` would decide it.
fn contraction_len(t: &[u8]) -> Option<usize> {
    if t.first() != Some(&b'\'') {
        return Some(0);
    }
    // Under `(?i)` a non-ASCII letter can match (`ſ` is `s`): let the regex decide then.
    let lower = |j: usize| t.get(j).map(u8::to_ascii_lowercase);
    Some(match (lower(1), lower(2)) {
        (Some(b's' | b't' | b'm' | b'd'), _) => 2,
        (Some(b'r' | b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => 3,
        (None, _) | (Some(b'r' | b'v' | b'l'), None) => return None,
        _ => 0,
    })
}

/// A short piece as one number: its bytes, zero-padded, and its length in the last byte.
fn piece_key(piece: &[u8]) -> Option<u128> {
    let len = u8::try_from(piece.len())
        .ok()
        .filter(|&len| usize::from(len) <= CACHED_PIECE_BYTES)?;
    let mut bytes = [0_u8; 16];
    bytes[..piece.len()].copy_from_slice(piece);
    bytes[15] = len;
    Some(u128::from_le_bytes(bytes))
}

/// Hashes a `u128` key with two multiplications (keys are not attacker-chosen in a way
/// that matters: a collision only slows a lookup).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u128(&mut self, key: u128) {
        // The halves of the key, folded: truncation is the point.
        #[allow(clippy::cast_possible_truncation)]
        let (low, high) = (key as u64, (key >> 64) as u64);
        let mixed = (low ^ high.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = mixed ^ (mixed >> 32);
    }
}

/// Tokens of `text` with `o200k_base`. Special-token look-alikes such as `<|endoftext|>`
/// are ordinary text here, as in `tiktoken`'s `encode_ordinary` (the platform rejects
/// them: `special-token-in-text`).
pub fn count(text: &str) -> u32 {
    // o200k_base does no Unicode normalisation, so splitting the text as given and
    // counting each piece is exactly `Tokenizer::count`.
    let count_piece = |piece: &[u8]| u32::try_from(bpe::count(piece)).unwrap_or(u32::MAX);
    let mut total = 0_u32;
    PIECE_COUNTS.with_borrow_mut(|counts| {
        if counts.len() >= CACHE_ENTRIES {
            counts.clear();
        }
        split(text, |piece| {
            let n = match piece_key(piece) {
                None => count_piece(piece),
                Some(key) => *counts.entry(key).or_insert_with(|| count_piece(piece)),
            };
            total = total.saturating_add(n);
        });
    });
    total
}

/// The token ids of `text` with `o200k_base`.
pub fn encode(text: &str) -> Vec<u32> {
    let mut ids = Vec::new();
    split(text, |piece| bpe::encode(piece, &mut ids));
    ids
}

/// The entries of an object as Python's `json` sees them: one per key, the last value.
pub(crate) fn unique_entries(object: Object<'_>) -> impl Iterator<Item = (&str, Json<'_>)> {
    // Small objects (every message) are searched; a hostile one with thousands of keys is
    // indexed once.
    const SEARCHED: usize = 16;
    let last: Option<HashMap<&str, usize>> = (object.len() > SEARCHED).then(|| {
        object
            .iter()
            .enumerate()
            .map(|(i, (key, _))| (key, i))
            .collect()
    });
    object
        .iter()
        .enumerate()
        .filter(move |&(i, (key, _))| match &last {
            Some(last) => last.get(key) == Some(&i),
            None => object.iter().skip(i + 1).all(|(later, _)| later != key),
        })
        .map(|(_, entry)| entry)
}

/// What one message's values cost, apart from its images.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageText {
    /// Overhead, role, name and every value.
    pub total: u32,
    /// The tokens before the message's content: overhead and role.
    pub head: u32,
    /// Content, refusal and tool calls: what CB-PREP counts as the assistant's tokens.
    pub content: u32,
}

/// Counts one element of `messages` (anything that is not an object counts 3).
pub fn message(value: Json<'_>) -> MessageText {
    let mut out = MessageText {
        total: TOKENS_PER_MESSAGE,
        head: TOKENS_PER_MESSAGE,
        content: 0,
    };
    let Some(object) = value.as_object() else {
        return out;
    };
    for (key, value) in unique_entries(object) {
        let tokens = match (key, value) {
            (_, Json::String(s)) => count(s),
            ("content", Json::Array(parts)) => parts.iter().map(part).sum(),
            ("tool_calls", Json::Array(calls)) => calls
                .iter()
                .filter_map(|call| call.as_object()?.get("function"))
                .map(function_call)
                .sum(),
            ("function_call", call) => function_call(call),
            _ => 0,
        };
        out.total += tokens;
        match key {
            "role" => out.head += tokens,
            "name" => out.total += TOKENS_PER_NAME,
            "content" | "refusal" | "tool_calls" | "function_call" => out.content += tokens,
            _ => {}
        }
    }
    out
}

/// A content part's text (`text` or `refusal`); images are counted apart.
fn part(value: Json<'_>) -> u32 {
    let Some(object) = value.as_object() else {
        return 0;
    };
    match object.get_str("type") {
        Some("text") => object.get_str("text").map_or(0, count),
        Some("refusal") => object.get_str("refusal").map_or(0, count),
        _ => 0,
    }
}

/// `{"name": …, "arguments": …}`: both strings encoded.
fn function_call(value: Json<'_>) -> u32 {
    let Some(object) = value.as_object() else {
        return 0;
    };
    ["name", "arguments"]
        .iter()
        .filter_map(|key| object.get_str(key))
        .map(count)
        .sum()
}

/// CB-TOK `num_tokens_for_tools` over an example's `tools` (or deprecated `functions`).
/// Missing descriptions and properties count as empty, where the cookbook would fail.
pub fn tool_definitions(root: Object<'_>) -> u32 {
    let functions: Vec<Object<'_>> = if let Some(tools) = root.get("tools").and_then(Json::as_array)
    {
        tools
            .iter()
            .filter_map(|t| t.as_object()?.get("function")?.as_object())
            .collect()
    } else if let Some(functions) = root.get("functions").and_then(Json::as_array) {
        functions.iter().filter_map(Json::as_object).collect()
    } else {
        return 0;
    };
    if functions.is_empty() {
        return 0;
    }
    let mut total: i64 = 0;
    for function in functions {
        total += tools::FUNC_INIT;
        let name = function.get_str("name").unwrap_or_default();
        let description = function.get_str("description").unwrap_or_default();
        let description = description.strip_suffix('.').unwrap_or(description);
        total += i64::from(count(&format!("{name}:{description}")));
        let properties = function
            .get("parameters")
            .and_then(Json::as_object)
            .and_then(|p| p.get("properties"))
            .and_then(Json::as_object);
        let Some(properties) = properties.filter(|p| !p.is_empty()) else {
            continue;
        };
        total += tools::PROP_INIT;
        for (key, property) in unique_entries(properties) {
            total += tools::PROP_KEY;
            let property = property.as_object();
            let field = |name: &str| property.and_then(|p| p.get(name));
            if let Some(items) = field("enum") {
                total += tools::ENUM_INIT;
                for item in items.as_array().unwrap_or_default() {
                    total += tools::ENUM_ITEM + i64::from(count(&scalar_text(item)));
                }
            }
            let kind = field("type").map(scalar_text).unwrap_or_default();
            let description = field("description").map(scalar_text).unwrap_or_default();
            let description = description.strip_suffix('.').unwrap_or(&description);
            total += i64::from(count(&format!("{key}:{kind}:{description}")));
        }
    }
    total += tools::FUNC_END;
    u32::try_from(total.max(0)).unwrap_or(u32::MAX)
}

/// A value as the cookbook's f-strings would print it: strings bare, the rest as JSON.
fn scalar_text(value: Json<'_>) -> String {
    match value {
        Json::String(s) => s.to_string(),
        Json::Number(Number::Int(n)) => n.to_string(),
        Json::Number(Number::UInt(n)) => n.to_string(),
        Json::Number(Number::Float(n)) => format!("{n:?}"),
        Json::Bool(true) => "True".to_owned(),
        Json::Bool(false) => "False".to_owned(),
        Json::Null => "None".to_owned(),
        Json::Array(_) | Json::Object(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Document;

    fn parse(line: &str) -> Document<'_> {
        Document::parse(line).unwrap()
    }

    /// The pieces of `text`: by [`split`] (ASCII by hand), or by the regex alone.
    fn pieces(text: &str, regex_only: bool) -> Vec<String> {
        let mut out = Vec::new();
        if regex_only {
            REGEX_CACHE.with_borrow_mut(|cache| {
                let mut start = 0;
                while start < text.len() {
                    let end = regex_piece_end(text, start, cache);
                    out.push(text[start..end].to_owned());
                    start = end;
                }
            });
        } else {
            split(text, |p| out.push(String::from_utf8(p.to_vec()).unwrap()));
        }
        out
    }

    /// Cutting ASCII by hand gives exactly the regex's pieces, on random text from an
    /// alphabet of every class the pattern tells apart, non-ASCII neighbours included: a
    /// letter (`é`, `東`), a combining mark, a non-ASCII space and digit, `ſ` (which `(?i)`
    /// matches as `s` in contractions).
    #[test]
    fn split_by_hand_equals_the_pattern() {
        const ALPHABET: &[&str] = &[
            "a", "Z", "k", "Q", "0", "9", " ", "\t", "\n", "\r", "\x0B", "\x0C", "\0", "\x1F",
            "\x7F", "'", "/", ".", ",", "!", "(", "<", "|", "_", "s", "S", "t", "T", "r", "R", "e",
            "E", "v", "V", "m", "M", "l", "L", "d", "D", "é", "東", "\u{301}", "\u{a0}", "\u{663}",
            "ſ", "😀",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            // xorshift64*: reproducible, no dependency.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            usize::try_from(state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33).unwrap()
        };
        for round in 0..30_000 {
            // Half the texts are all ASCII (the first 40 symbols).
            let symbols = if round % 2 == 0 { 40 } else { ALPHABET.len() };
            let len = next() % 24;
            let text: String = (0..len).map(|_| ALPHABET[next() % symbols]).collect();
            assert_eq!(pieces(&text, false), pieces(&text, true), "{text:?}");
        }
        for text in [
            "Hello world",
            "I'M here, we'Re",
            "  x\n\n  y  ",
            "1234567",
            "a/b//\n",
            "it'ſ",
        ] {
            assert_eq!(pieces(text, false), pieces(text, true), "{text:?}");
        }
    }

    /// The static tables and tiktoken's merge give `bpe-openai`'s ids (itself checked against
    /// tiktoken), on random text over the same alphabet plus long runs.
    #[test]
    fn encoding_equals_bpe_openai() {
        const ALPHABET: &[&str] = &[
            "a",
            "Z",
            "k",
            "0",
            "9",
            " ",
            "\n",
            "\r",
            "'",
            "/",
            ".",
            "!",
            "<",
            "|",
            "_",
            "s",
            "the",
            "ing",
            " model",
            "é",
            "東京",
            "\u{301}",
            "\u{a0}",
            "😀",
            "Привет",
            "ال",
        ];
        let reference = bpe_openai::o200k_base();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            usize::try_from(state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33).unwrap()
        };
        for _ in 0..20_000 {
            let len = next() % 40;
            let text: String = (0..len)
                .map(|_| ALPHABET[next() % ALPHABET.len()])
                .collect();
            assert_eq!(encode(&text), reference.encode(&text), "{text:?}");
        }
        for text in [
            "a".repeat(5000),
            "😀".repeat(700),
            "0123456789".repeat(300),
            "ab".repeat(999),
        ] {
            assert_eq!(
                encode(&text),
                reference.encode(&text),
                "{} bytes",
                text.len()
            );
        }
    }

    #[test]
    fn known_token_ids() {
        // tiktoken o200k_base: "hello world" → [24912, 2375].
        assert_eq!(encode("hello world"), [24912, 2375]);
        assert_eq!(count(""), 0);
        // A special-token look-alike is ordinary text, several tokens.
        assert!(count("<|endoftext|>") > 1);
    }

    #[test]
    fn cached_counts_equal_encoding_lengths() {
        assert_ne!(piece_key(b"a"), piece_key(b"a\0"));
        assert_eq!(piece_key(&[b'x'; 16]), None);
        // Twice each, so the second count comes from the cache.
        for text in ["a a\0 a\0\0 a", "  \n\n x 東京 😀😀", &"word ".repeat(50)] {
            for _ in 0..2 {
                assert_eq!(count(text) as usize, encode(text).len(), "{text:?}");
            }
        }
    }

    #[test]
    fn a_message_counts_overhead_role_name_and_content() {
        let m = parse(r#"{"role":"user","name":"bob","content":"hello world"}"#);
        let t = message(m.root());
        // 3 + role (1) + name (1) + 1 + content (2).
        assert_eq!(t.total, 3 + count("user") + count("bob") + 1 + 2);
        assert_eq!(t.head, 3 + count("user"));
        assert_eq!(t.content, 2);
    }

    #[test]
    fn arrays_tool_calls_and_weight() {
        let m = parse(
            r#"{"role":"assistant","weight":1,"content":[{"type":"text","text":"hello world"},{"type":"refusal","refusal":"no"}],"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}"#,
        );
        let expected = 3 + count("assistant") + 2 + count("no") + count("f") + count("{}");
        assert_eq!(message(m.root()).total, expected);
    }

    #[test]
    fn duplicate_keys_count_once_with_the_last_value() {
        let m = parse(r#"{"role":"user","content":"a b c d e f","content":"x"}"#);
        assert_eq!(message(m.root()).total, 3 + count("user") + count("x"));
    }

    #[test]
    fn tool_definition_overhead() {
        let root = parse(
            r#"{"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city.","parameters":{"type":"object","properties":{"city":{"type":"string","description":"The city."},"unit":{"type":"string","description":"","enum":["c","f"]}}}}}]}"#,
        );
        let expected =
            7 + count("get_weather:Weather by city") + 3 + 3 + count("city:string:The city") + 3
                - 3
                + (3 + count("c"))
                + (3 + count("f"))
                + count("unit:string:")
                + 12;
        assert_eq!(tool_definitions(root.root().as_object().unwrap()), expected);
        assert_eq!(tool_definitions(parse("{}").root().as_object().unwrap()), 0);
    }
}
