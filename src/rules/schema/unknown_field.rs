use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::schema::shape::{self, RESPONSE_ONLY_KEYS};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds keys that the chat format does not define where they stand: at the top level
    /// (only `messages`, `tools`, `parallel_tool_calls` and `functions`), in a message for
    /// its role, in a content part, an `image_url` object, a tool call or a tool definition.
    /// When a known key is a small edit away, the help suggests it.
    ///
    /// ## Why is this bad?
    /// The server rejects extra keys even where the schema is silent: "Invalid file format.
    /// Example 1 contains an extra "weight"". Typos (`contents`, `tool_call_ids`) also mean
    /// the intended field is missing.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [...], "metadata": {"source": "crawl"}}
    /// ```
    ///
    /// ## How to fix
    /// Remove the key, or fix its spelling. Keep metadata in a separate file keyed by line.
    /// A misplaced `weight` is reported by `weight-outside-assistant` instead.
    /// `annotations` (a response-only key that `model_dump()` writes) is reported by
    /// `response-only-field` instead, which can remove it.
    ///
    /// ## Source
    /// Spec §2.1 (top-level keys; "Validator: error on any top-level key other than the
    /// four above"), §2.3 (per-role keys), §2.4 (parts).
    code: "VFT103",
    name: "unknown-field",
    category: Schema,
    severity: Error,
    summary: "An object has a key the chat format does not define there",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    shape::visit_objects(example, |pointer, object, shape| {
        if !shape.closed {
            return;
        }
        for key in object.keys() {
            // `weight` and the response-only keys have rules of their own.
            if shape.field(key).is_some() || key == "weight" || RESPONSE_ONLY_KEYS.contains(&key) {
                continue;
            }
            let allowed: Vec<String> = shape
                .fields
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            let help = match closest(key, shape.fields.iter().map(|f| f.name)) {
                Some(name) => format!(
                    "did you mean `{name}`? {} may have {}",
                    shape.what,
                    allowed.join(", ")
                ),
                None => format!("remove it: {} may have {}", shape.what, allowed.join(", ")),
            };
            report
                .at_key(
                    pointer.key(key).to_pointer(),
                    format!("unknown key {} in {}", quote_value(key), shape.what),
                )
                .help(help);
        }
    });
}

/// The candidate within a small edit distance of `key`, if any (also for function names).
pub(crate) fn closest<'c>(key: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    // A length apart by more than 2 is a distance over 2: no edit table for a 10 MB key.
    let chars = key.chars().count();
    let key = key.to_ascii_lowercase();
    candidates
        .filter(|c| c.chars().count().abs_diff(chars) <= 2)
        .map(|c| (edit_distance(&key, c), c))
        .filter(|&(d, c)| d <= 2 && d < c.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let fields = ["role", "content", "name"];
        assert_eq!(closest("contents", fields.into_iter()), Some("content"));
        assert_eq!(closest("Role", fields.into_iter()), Some("role"));
        assert_eq!(closest("metadata", fields.into_iter()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
