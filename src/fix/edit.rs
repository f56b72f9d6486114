//! Edits of one line's bytes, as ruff's `Edit`: a byte range and what replaces it. Every
//! byte outside the edits is kept, so a fix changes only what it names.

use std::ops::Range;

use crate::input::JsonPointer;
use crate::input::pointer::{self, SpanTarget};

/// Replace `range` of the line with `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: Vec<u8>,
}

impl Edit {
    pub fn replace(range: Range<usize>, content: impl Into<Vec<u8>>) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    pub fn delete(range: Range<usize>) -> Self {
        Self::replace(range, Vec::new())
    }
}

/// The edit that replaces the value at `pointer` with `json`; `None` when the line does not
/// hold it.
pub fn replace_value(text: &str, at: &JsonPointer, json: impl Into<Vec<u8>>) -> Option<Edit> {
    let range = pointer::resolve(text, at, SpanTarget::Value)?;
    Some(Edit::replace(range, json))
}

/// The edit that removes the member whose value `pointer` names: its key, colon and value,
/// and one comma next to it (the one after it, or before it when it is the last member),
/// with the whitespace between, so the object stays valid JSON.
pub fn remove_member(text: &str, at: &JsonPointer) -> Option<Edit> {
    let key = pointer::resolve(text, at, SpanTarget::Key)?;
    let value = pointer::resolve(text, at, SpanTarget::Value)?;
    if key.start >= value.start {
        // Not an object member (an array element).
        return None;
    }
    let bytes = text.as_bytes();
    let after = skip_whitespace(bytes, value.end);
    if bytes.get(after) == Some(&b',') {
        let next = skip_whitespace(bytes, after + 1);
        return Some(Edit::delete(key.start..next));
    }
    let before = skip_whitespace_back(bytes, key.start);
    if before > 0 && bytes[before - 1] == b',' {
        return Some(Edit::delete(before - 1..value.end));
    }
    // The only member: `{"a": null}` becomes `{}`.
    Some(Edit::delete(key.start..value.end))
}

fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while bytes
        .get(at)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        at += 1;
    }
    at
}

fn skip_whitespace_back(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t' | b'\r' | b'\n') {
        at -= 1;
    }
    at
}

/// Applies `edits` to `line` in order of position; an edit that overlaps one already taken
/// is left out (the fixer's next pass sees its finding again). Returns the new line and,
/// for each edit in the order given, whether it was applied.
pub fn apply(line: &[u8], edits: &[Edit]) -> (Vec<u8>, Vec<bool>) {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].range.start, edits[i].range.end));
    let added: usize = edits.iter().map(|e| e.content.len()).sum();
    let mut out = Vec::with_capacity(line.len() + added);
    let mut applied = vec![false; edits.len()];
    let mut at = 0;
    for i in order {
        let edit = &edits[i];
        if edit.range.start < at || edit.range.end > line.len() {
            continue;
        }
        out.extend_from_slice(&line[at..edit.range.start]);
        out.extend_from_slice(&edit.content);
        at = edit.range.end;
        applied[i] = true;
    }
    out.extend_from_slice(&line[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ptr(tokens: &[&str]) -> JsonPointer {
        tokens
            .iter()
            .fold(JsonPointer::root(), |p, t| match t.parse::<usize>() {
                Ok(i) => p.index(i),
                Err(_) => p.key(t),
            })
    }

    fn removed(text: &str, tokens: &[&str]) -> String {
        let edit = remove_member(text, &ptr(tokens)).expect("member found");
        String::from_utf8(apply(text.as_bytes(), &[edit]).0).expect("utf-8")
    }

    #[test]
    fn removes_a_member_and_the_comma_after_it() {
        assert_eq!(removed(r#"{"a": null, "b": 1}"#, &["a"]), r#"{"b": 1}"#);
    }

    #[test]
    fn removes_the_last_member_and_the_comma_before_it() {
        assert_eq!(removed(r#"{"b": 1, "a": null}"#, &["a"]), r#"{"b": 1}"#);
        assert_eq!(removed(r#"{"b":1 ,"a":null }"#, &["a"]), r#"{"b":1  }"#);
    }

    #[test]
    fn removes_the_only_member() {
        assert_eq!(
            removed(r#"{"x": {"a": null}}"#, &["x", "a"]),
            r#"{"x": {}}"#
        );
    }

    #[test]
    fn removes_nested_members_in_arrays() {
        let text = r#"{"m": [{"role": "assistant", "refusal": null, "content": "hi"}]}"#;
        assert_eq!(
            removed(text, &["m", "0", "refusal"]),
            r#"{"m": [{"role": "assistant", "content": "hi"}]}"#
        );
    }

    #[test]
    fn removing_two_neighbours_in_one_pass_keeps_valid_json() {
        let text = r#"{"a": 1, "b": null, "c": null}"#;
        let edits: Vec<Edit> = ["b", "c"]
            .iter()
            .map(|k| remove_member(text, &ptr(&[k])).expect("found"))
            .collect();
        let (out, applied) = apply(text.as_bytes(), &edits);
        let out = String::from_utf8(out).expect("utf-8");
        // Overlapping edits wait for the next pass; what is applied stays valid.
        assert!(
            serde_json::from_str::<serde_json::Value>(&out).is_ok(),
            "{out}"
        );
        assert_eq!(applied, [true, false]);
    }

    #[test]
    fn replaces_a_value_and_nothing_else() {
        let text = r#"{"w":  1.0 , "x": "1.0"}"#;
        let edit = replace_value(text, &ptr(&["w"]), "1").expect("found");
        assert_eq!(
            String::from_utf8(apply(text.as_bytes(), &[edit]).0).expect("utf-8"),
            r#"{"w":  1 , "x": "1.0"}"#
        );
    }
}
