//! The JSON-pointer resolver on arbitrary lines and pointers: a span it returns lies in
//! the line on character boundaries; on valid JSON, the value a pointer names is found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vft::input::pointer::resolve;
use vft::input::{JsonPointer, SpanTarget};
use vft::json::{Document, Json};

#[derive(Debug, arbitrary::Arbitrary)]
enum Step {
    Key(String),
    Index(u8),
}

fuzz_target!(|input: (String, Vec<Step>, bool)| {
    let (line, steps, key) = input;
    let mut pointer = JsonPointer::root();
    for step in &steps {
        pointer = match step {
            Step::Key(key) => pointer.key(key),
            Step::Index(index) => pointer.index(usize::from(*index)),
        };
    }
    let target = if key {
        SpanTarget::Key
    } else {
        SpanTarget::Value
    };
    let span = resolve(&line, &pointer, target);
    if let Some(span) = &span {
        assert!(span.start <= span.end && span.end <= line.len());
        assert!(line.is_char_boundary(span.start) && line.is_char_boundary(span.end));
    }
    // Where the line is valid JSON, a pointer that the parsed value holds is resolved.
    if let Ok(document) = Document::parse(&line) {
        let mut node = Some(document.root());
        for step in &steps {
            node = match (node, step) {
                (Some(Json::Object(object)), Step::Key(key)) => object.get(key),
                (Some(Json::Array(items)), Step::Index(index)) => items.get(usize::from(*index)),
                _ => None,
            };
        }
        if node.is_some() && !key {
            let span = span.expect("a value the parser sees is resolved");
            assert!(
                Document::parse(&line[span]).is_ok(),
                "the span of a value is that value"
            );
        }
    }
});
