//! vft's token counts against OpenAI's `tiktoken`: `fixtures/tokens/expected.jsonl` holds
//! examples and strings with the counts and ids Python tiktoken produced
//! (`fixtures/tokens/generate.py`, the cookbook's formula, o200k_base read from a local
//! file whose sha256 is recorded on the first line).
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;

use vft::example::Example;
use vft::json::{Document, Json, Number};
use vft::media::examples::probe_images;
use vft::media::probe::ProbeDepth;
use vft::tokens::{ExampleTokens, Model, text};

const O200K_SHA256: &str = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d";

#[test]
fn counts_equal_tiktoken_example_by_example() {
    let corpus = std::fs::read_to_string(common::fixtures().join("tokens/expected.jsonl")).unwrap();
    let mut lines = corpus.lines();
    let header = serde_json::from_str::<serde_json::Value>(lines.next().unwrap()).unwrap();
    assert_eq!(header["sha256"], O200K_SHA256);

    let (mut examples, mut cookbook, mut texts) = (0, 0, 0);
    let mut mismatches = Vec::new();
    for line in lines {
        let document = Document::parse(line).unwrap();
        let case = document.root().as_object().unwrap();
        let id = case.get_str("id").unwrap();
        if let Some(example) = case.get("example") {
            let Some(Json::Number(expected)) = case.get("tokens") else {
                panic!("{id}: no token count");
            };
            let example = Example::new(example.as_object().unwrap());
            let probes = probe_images(&example, ProbeDepth::Headers);
            let got = ExampleTokens::count(&example, &probes, Model::Gpt4o);
            if got.total().to_string() != expected.to_string() {
                mismatches.push(format!("{id}: vft {} tiktoken {expected}", got.total()));
            }
            examples += 1;
            cookbook += usize::from(case.get_str("formula") == Some("cookbook"));
        } else {
            let text_value = case.get_str("text").unwrap();
            let expected: Vec<u32> = case
                .get("ids")
                .and_then(Json::as_array)
                .unwrap()
                .iter()
                .map(|id| match id {
                    Json::Number(Number::UInt(n)) => u32::try_from(n).unwrap(),
                    other => panic!("{other:?} is no token id"),
                })
                .collect();
            if text::encode(text_value) != expected {
                mismatches.push(format!("{id}: token ids differ"));
            }
            if usize::try_from(text::count(text_value)).unwrap() != expected.len() {
                mismatches.push(format!("{id}: count differs"));
            }
            texts += 1;
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The corpus is what it claims to be: mostly cookbook cases, and id sequences.
    assert!(
        examples >= 150 && cookbook >= 140 && texts >= 25,
        "{examples} {cookbook} {texts}"
    );
}
