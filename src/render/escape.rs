//! Text from the file on its way to a terminal: control characters written as escapes, and
//! values cut to a short excerpt.
//!
//! A training file is untrusted. Its values reach messages, snippets and file names; raw, an
//! ESC starts a terminal control sequence (an OSC retitles the terminal, others move the
//! cursor or rewrite what was printed), CR and LF forge output lines (`::error …` in a log),
//! and the bidirectional overrides reorder what is shown ("Trojan Source", CVE-2021-42574).
//! Every such character is shown as a Rust-style escape instead: `\n`, `\r`, `\t`, `\u{1b}`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

use crate::numbers::thousands;

/// Values up to this many characters are quoted whole; longer ones are cut.
pub const QUOTE_MAX_CHARS: usize = 40;

/// Whether `c` must not reach a terminal raw: C0 controls (with TAB, CR, LF), DEL, C1
/// controls (U+0080–U+009F; U+009B is a one-byte CSI), and the bidirectional embeddings,
/// overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_unsafe`] character escaped (borrowed when there is none).
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape_controls_except(text, &[])
}

/// [`escape_controls`], leaving the characters in `keep` as they are (GitHub's workflow
/// commands encode CR and LF themselves).
pub fn escape_controls_except<'t>(text: &'t str, keep: &[char]) -> Cow<'t, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !keep.contains(&c);
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_here(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A snippet's text escaped, with `span` (byte offsets into `text`) moved to match.
pub fn escape_snippet(text: &str, span: Range<usize>) -> (Cow<'_, str>, Range<usize>) {
    if !text.chars().any(is_unsafe) {
        return (Cow::Borrowed(text), span);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let (mut start, mut end) = (None, None);
    for (at, c) in text.char_indices() {
        if at >= span.start && start.is_none() {
            start = Some(out.len());
        }
        if at >= span.end && end.is_none() {
            end = Some(out.len());
        }
        if is_unsafe(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    let start = start.unwrap_or(out.len());
    let end = end.unwrap_or(out.len()).max(start);
    (Cow::Owned(out), start..end)
}

fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// A value from the file as messages quote it: in backticks, escaped, and cut to
/// [`QUOTE_MAX_CHARS`] characters with its length when longer (`` `aaaa…` (10,485,760
/// bytes) ``), so a 10 MB key makes a short message.
pub fn quote_value(value: &str) -> String {
    match value.char_indices().nth(QUOTE_MAX_CHARS) {
        None => format!("`{}`", escape_controls(value)),
        Some((cut, _)) => format!(
            "`{}…` ({} bytes)",
            escape_controls(&value[..cut]),
            thousands(value.len() as u64)
        ),
    }
}

/// [`quote_value`] after its indefinite article: "an `assistant`", "a `user`". The article
/// follows the first letter (a, e, i, o: "an"; `u` reads as "you" in `user`, the role
/// most often quoted).
pub fn a_quoted(value: &str) -> String {
    let article = match value.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o') => "an",
        _ => "a",
    };
    format!("{article} {}", quote_value(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_agree_with_the_quoted_word() {
        assert_eq!(a_quoted("assistant"), "an `assistant`");
        assert_eq!(a_quoted("user"), "a `user`");
        assert_eq!(a_quoted("system"), "a `system`");
        assert_eq!(a_quoted("Other"), "an `Other`");
        assert_eq!(a_quoted(""), "a ``");
    }

    #[test]
    fn controls_are_escaped_and_the_rest_kept() {
        assert_eq!(
            escape_controls("a\u{1b}]0;pwned\u{7}b\r\nc\u{7f}\u{9b}d\u{202e}é"),
            "a\\u{1b}]0;pwned\\u{7}b\\r\\nc\\u{7f}\\u{9b}d\\u{202e}é"
        );
        assert!(matches!(escape_controls("plain ü"), Cow::Borrowed(_)));
        assert_eq!(escape_controls_except("a\nb\u{1b}", &['\n']), "a\nb\\u{1b}");
    }

    #[test]
    fn the_span_follows_the_escaped_text() {
        let text = "{\"k\u{1b}\": \"v\tx\"}";
        let value = text.find('"').unwrap()..text.find(':').unwrap();
        let (escaped, span) = escape_snippet(text, value);
        assert_eq!(&escaped[span], "\"k\\u{1b}\"");
        let (escaped, span) = escape_snippet("a\u{1b}", 1..2);
        assert_eq!(&escaped[span], "\\u{1b}");
        let (escaped, span) = escape_snippet("ab", 1..2);
        assert_eq!(&escaped[span], "b");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        assert_eq!(quote_value("gpt-4o"), "`gpt-4o`");
        let long = "é".repeat(5_000_000);
        let quoted = quote_value(&long);
        assert_eq!(
            quoted,
            format!("`{}…` (10,000,000 bytes)", "é".repeat(QUOTE_MAX_CHARS))
        );
        assert_eq!(quote_value("\u{1b}[2J"), "`\\u{1b}[2J`");
    }
}
