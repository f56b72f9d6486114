use std::collections::HashMap;

use crate::input::pointer::Path;
use crate::json::{Json, Object};
use crate::render::escape::quote_value;
use crate::rules::rule::{Check, Report, declare_rule};
use crate::rules::subject::ExampleContext;

declare_rule! {
    /// ## What it does
    /// Finds objects in which the same key appears more than once.
    ///
    /// ## Why is this bad?
    /// JSON leaves duplicate keys undefined. Python's `json` keeps the last value and drops
    /// the others without a word, so the platform trains on something other than what the
    /// first value says, and other tools may read the first.
    ///
    /// ## Example
    /// ```jsonl
    /// {"messages": [{"role": "user", "content": "hi", "content": "hello"}, …]}
    /// ```
    ///
    /// ## How to fix
    /// Keep one of the values. Build examples as dictionaries and serialize them, rather than
    /// concatenating strings.
    ///
    /// ## Source
    /// RFC 8259 §4 ("names within an object SHOULD be unique"); not in the platform spec.
    code: "VFT008",
    name: "duplicate-key",
    category: Input,
    severity: Warning,
    summary: "An object has the same key twice",
    check: Check::Example(check),
}

fn check(cx: &ExampleContext<'_>, report: &mut Report<'_>) {
    let example = cx.example;
    visit(example.root, &Path::Root, report);
}

/// Up to this many keys, duplicates are found by comparing pairs (no allocation); larger
/// objects are counted in a hash map, so a hostile line cannot make this quadratic.
const PAIRWISE_MAX_KEYS: usize = 32;

fn visit(object: Object<'_>, at: &Path<'_>, report: &mut Report<'_>) {
    let mut report_key =
        |key: &str, count: usize| {
            report
            .at_key(
                at.key(key).to_pointer(),
                format!("key {} appears {count} times in the same object", quote_value(key)),
            )
            .help(
                "keep one: parsers disagree on which value wins (Python's `json` keeps the last)",
            );
        };
    // Report in key order of first appearance, once per key.
    if object.len() <= PAIRWISE_MAX_KEYS {
        for (index, key) in object.keys().enumerate() {
            if object.keys().take(index).any(|k| k == key) {
                continue;
            }
            let count = 1 + object.keys().skip(index + 1).filter(|k| *k == key).count();
            if count > 1 {
                report_key(key, count);
            }
        }
    } else {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for key in object.keys() {
            *counts.entry(key).or_default() += 1;
        }
        for key in object.keys() {
            if let Some(count) = counts.remove(key).filter(|&n| n > 1) {
                report_key(key, count);
            }
        }
    }
    for (key, value) in object.iter() {
        if matches!(value, Json::Object(_) | Json::Array(_)) {
            visit_value(value, &at.key(key), report);
        }
    }
}

fn visit_value(value: Json<'_>, at: &Path<'_>, report: &mut Report<'_>) {
    match value {
        Json::Object(object) => visit(object, at, report),
        Json::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if matches!(item, Json::Object(_) | Json::Array(_)) {
                    visit_value(item, &at.index(index), report);
                }
            }
        }
        _ => {}
    }
}
