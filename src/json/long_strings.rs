//! The long plain strings of a line (the megabytes of base64 in a data URI), found with a
//! block scan the compiler vectorises and cut out before serde_json parses the line: its
//! byte-at-a-time string scan was half of the time spent on photo files.
//!
//! A string is plain when it holds no `\` and no control character; cutting the inside of
//! a plain string changes nothing serde_json can see but its length, so the cut line
//! parses to the same tree, or fails where the whole line fails (the caller then parses
//! the whole line for the exact error).

/// Plain strings with at least this many bytes inside the quotes are cut.
pub(super) const LONG: usize = 1024;

/// A line with the insides of its long plain strings cut out, each but its first
/// character, which stays as a placeholder.
#[derive(Debug)]
pub(super) struct Cut<'a> {
    pub(super) text: String,
    original: &'a str,
    /// In order: where each cut is in `text`, and the bytes cut up to and including it.
    cuts: Vec<(usize, usize)>,
}

impl<'a> Cut<'a> {
    /// `text` with its long plain strings cut, or `None` when it has none.
    pub(super) fn of(text: &'a str) -> Option<Self> {
        let bytes = text.as_bytes();
        if !has_quote_free_block(bytes) {
            return None;
        }
        let mut cut = Cut {
            text: String::new(),
            original: text,
            cuts: Vec::new(),
        };
        let (mut kept_from, mut removed, mut at) = (0, 0, 0);
        while let Some(quote) = bytes.get(at..).and_then(|rest| memchr::memchr(b'"', rest)) {
            let open = at + quote + 1;
            let Some((close, plain)) = string_end(bytes, open) else {
                break;
            };
            if plain && close - open >= LONG {
                let mut keep = open + 1;
                while !text.is_char_boundary(keep) {
                    keep += 1;
                }
                cut.text.push_str(&text[kept_from..keep]);
                removed += close - keep;
                cut.cuts.push((cut.text.len(), removed));
                kept_from = close;
            }
            at = close + 1;
        }
        if cut.cuts.is_empty() {
            return None;
        }
        cut.text.push_str(&text[kept_from..]);
        Some(cut)
    }

    /// The string of the original line that `piece` (a slice of [`Cut::text`]) stands for:
    /// itself, or for a placeholder the whole string it was cut from.
    pub(super) fn original(&self, piece: &str) -> Option<&'a str> {
        let start = (piece.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let end = start + piece.len();
        if end > self.text.len() {
            return None;
        }
        self.original
            .get(start + self.removed_through(start)..end + self.removed_through(end))
    }

    /// Where `piece` (a slice of the original line, as [`Cut::original`] gives) starts in
    /// the line.
    pub(super) fn offset_of(&self, piece: &str) -> usize {
        piece.as_ptr() as usize - self.original.as_ptr() as usize
    }

    /// Bytes cut before `at` in `text` (cuts at `at` included).
    fn removed_through(&self, at: usize) -> usize {
        match self.cuts.partition_point(|&(cut, _)| cut <= at) {
            0 => 0,
            n => self.cuts[n - 1].1,
        }
    }
}

/// Whether some aligned block of `LONG / 2` bytes holds no `"`: the inside of a long plain
/// string is at least `LONG` bytes without one, so it holds such a block. A line of many
/// short strings (a million tiny messages) is ruled out with one `memchr` per block, not a
/// scan of each of its strings.
fn has_quote_free_block(bytes: &[u8]) -> bool {
    bytes
        .chunks_exact(LONG / 2)
        .any(|block| memchr::memchr(b'"', block).is_none())
}

/// The index of the `"` ending the string whose inside starts at `from`, and whether the
/// string is plain; `None` when it is not ended.
fn string_end(bytes: &[u8], from: usize) -> Option<(usize, bool)> {
    let mut plain = true;
    let mut at = from;
    loop {
        let special = at + first_special(bytes.get(at..)?)?;
        match bytes[special] {
            b'"' => return Some((special, plain)),
            // An escape: the next byte is escaped (a `\"` does not end the string).
            b'\\' => at = special + 2,
            _ => at = special + 1,
        }
        plain = false;
    }
}

/// The offset of the first `"`, `\` or control character. memchr finds the next quote or
/// backslash with AVX2 or SSE2, picked at run time; the bytes before it are checked for
/// control characters by their minimum, a reduction the compiler vectorises. (A block scan
/// of the three compares at once ran at half the speed on photo files.)
fn first_special(bytes: &[u8]) -> Option<usize> {
    let end = memchr::memchr2(b'"', b'\\', bytes);
    let before = &bytes[..end.unwrap_or(bytes.len())];
    if before.iter().fold(u8::MAX, |least, &b| least.min(b)) < 0x20 {
        return before.iter().position(|&b| b < 0x20);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_special_finds_quotes_backslashes_and_controls_in_any_block() {
        for len in [0, 1, 63, 64, 65, 200] {
            let plain = "a".repeat(len);
            assert_eq!(first_special(plain.as_bytes()), None);
            for at in (0..len).step_by(7) {
                for special in [b'"', b'\\', b'\n', 0x1f] {
                    let mut bytes = plain.clone().into_bytes();
                    bytes[at] = special;
                    assert_eq!(first_special(&bytes), Some(at), "{len} {at} {special}");
                }
            }
        }
        assert_eq!(first_special(" \u{7f}é".as_bytes()), None);
    }

    #[test]
    fn long_plain_strings_are_cut_and_map_back_whole() {
        let payload = "é".to_owned() + &"A".repeat(3000);
        let line = format!(r#"{{"a":"{payload}","b":"x","c":"{payload}"}}"#);
        let cut = Cut::of(&line).unwrap();
        assert_eq!(cut.text, r#"{"a":"é","b":"x","c":"é"}"#);
        let piece = |from: usize, len: usize| &cut.text[from..from + len];
        assert_eq!(cut.original(piece(6, 2)), Some(payload.as_str()));
        assert_eq!(cut.original(piece(11, 1)), Some("b"));
        assert_eq!(cut.original(piece(15, 1)), Some("x"));
        assert_eq!(cut.original(piece(19, 1)), Some("c"));
        assert_eq!(cut.original(piece(23, 2)), Some(payload.as_str()));
        // Not a slice of the cut text.
        assert_eq!(cut.original("é"), None);
    }

    #[test]
    fn strings_with_escapes_or_controls_and_short_lines_are_kept() {
        let long = "A".repeat(2000);
        for line in [
            format!(r#"{{"a":"{long}\"{long}"}}"#),
            format!(r#"{{"a":"{long}\n"}}"#),
            format!("{{\"a\":\"{long}\t\"}}"),
            format!(r#"{{"a":"{long}"#),
            r#"{"a":"AAAA"}"#.to_owned(),
        ] {
            assert!(Cut::of(&line).is_none(), "{line}");
        }
    }

    /// The block test never hides a long string, wherever it starts against the blocks.
    #[test]
    fn a_long_string_is_cut_wherever_it_starts() {
        let long = "A".repeat(LONG);
        for shift in 0..=LONG / 2 + 1 {
            let line = format!(r#"{{"{}":"{long}"}}"#, "k".repeat(shift));
            assert!(Cut::of(&line).is_some(), "{shift}");
        }
        let short_strings = r#"{"role":"user","content":"a"},"#.repeat(10_000);
        assert!(Cut::of(&format!("[{short_strings}{{}}]")).is_none());
    }

    #[test]
    fn an_escaped_quote_does_not_end_a_string() {
        let long = "A".repeat(2000);
        let line = format!(r#"["\"{long}","{long}"]"#);
        let cut = Cut::of(&line).unwrap();
        assert_eq!(cut.text, format!(r#"["\"{long}","A"]"#));
    }
}
