//! vft's verdict on every image of the corpus equals Pillow's on the same bytes.
//!
//! `fixtures/images/expected.json` holds what Pillow (default settings) said of each file
//! when `fixtures/generate_images.py` wrote it: `Image.open` (format, mode, size, animated)
//! and `.load()`. vft is checked in default mode and with `--deep`, first at the probe, then
//! through the whole engine (which rules fire).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;

use base64::Engine as _;
use serde_json::Value;
use vft::diagnostic::Severity;
use vft::engine::Options;
use vft::media::bytes::ImageBytes;
use vft::media::header::ColorMode;
use vft::media::probe::{self, MAX_PIXELS, ProbeDepth};
use vft::target::Target;

const MAX_BYTES: u64 = 10 * 1024 * 1024;

fn corpus() -> BTreeMap<String, Value> {
    let path = common::fixtures().join("images/expected.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn image_bytes(name: &str) -> Vec<u8> {
    fs::read(common::fixtures().join("images").join(name)).unwrap()
}

/// The error rules Pillow's verdict implies.
fn expected_rules(name: &str, pillow: &Value) -> BTreeSet<&'static str> {
    let mut rules = BTreeSet::new();
    if pillow["bytes"] == 0 {
        // An empty payload makes `data:…;base64,` with nothing after the comma.
        rules.insert("VFT204");
        return rules;
    }
    if pillow["bytes"].as_u64().unwrap() > MAX_BYTES {
        rules.insert("VFT206");
    }
    if let Some(error) = pillow["open"].as_str() {
        let known_format = [".png", ".jpg", ".webp"]
            .iter()
            .any(|ext| name.ends_with(ext));
        rules.insert(if error.starts_with("DecompressionBombError") {
            "VFT216"
        } else if known_format {
            "VFT214"
        } else {
            "VFT211"
        });
        return rules;
    }
    if !matches!(pillow["format"].as_str(), Some("JPEG" | "PNG" | "WEBP")) {
        rules.insert("VFT211");
        return rules;
    }
    if !matches!(pillow["mode"].as_str(), Some("RGB" | "RGBA")) {
        rules.insert("VFT213");
    }
    if pillow["load"] != "ok" {
        rules.insert("VFT214");
    }
    rules
}

#[test]
fn probe_agrees_with_pillow_on_format_mode_size_and_animation() {
    for (name, pillow) in corpus() {
        let bytes = image_bytes(&name);
        for depth in [ProbeDepth::Headers, ProbeDepth::Pixels] {
            let probe = probe::probe(&bytes, depth);
            let Some(format) = pillow["format"].as_str() else {
                continue;
            };
            assert_eq!(
                probe.format.map(probe::Format::name),
                Some(format),
                "{name}: format"
            );
            if !matches!(format, "JPEG" | "PNG" | "WEBP") {
                continue;
            }
            assert_eq!(
                probe.header.mode.map(ColorMode::name),
                pillow["mode"].as_str(),
                "{name}: mode"
            );
            assert_eq!(
                u64::from(probe.header.width),
                pillow["width"].as_u64().unwrap(),
                "{name}: width"
            );
            assert_eq!(
                u64::from(probe.header.height),
                pillow["height"].as_u64().unwrap(),
                "{name}: height"
            );
            assert_eq!(
                probe.header.animated,
                pillow["animated"].as_bool().unwrap(),
                "{name}: animated"
            );
            assert_eq!(
                probe.defect.is_some(),
                pillow["load"] != "ok",
                "{name} (depth {depth:?}): {:?}",
                probe.defect
            );
        }
    }
}

/// A data URI's payload is probed without decoding it whole: every read decodes only the
/// bytes it needs. That must see exactly what probing the decoded bytes sees.
#[test]
fn probing_a_payload_in_place_equals_probing_its_decoded_bytes() {
    let mut names: Vec<String> = corpus().into_keys().collect();
    names.push("rgb.jpg+trailing".into());
    for name in names {
        let bytes = match name.strip_suffix("+trailing") {
            // Bytes after EOI: the walk cannot trust the end and walks every scan.
            Some(jpeg) => [image_bytes(jpeg), b"\0\0trailing bytes".to_vec()].concat(),
            None => image_bytes(&name),
        };
        let payload = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let in_place = ImageBytes::base64(payload.as_bytes(), bytes.len());
        for depth in [ProbeDepth::Headers, ProbeDepth::Pixels] {
            assert_eq!(
                probe::probe_image(&in_place, depth),
                probe::probe(&bytes, depth),
                "{name} (depth {depth:?})"
            );
        }
    }
    let trailing = [image_bytes("rgb.jpg"), b"\0\0trailing bytes".to_vec()].concat();
    assert_eq!(probe::probe(&trailing, ProbeDepth::Headers).defect, None);
}

#[test]
fn probe_never_reads_more_than_the_header_of_a_decompression_bomb() {
    let probe = probe::probe(&image_bytes("bomb.png"), ProbeDepth::Pixels);
    assert_eq!((probe.header.width, probe.header.height), (20_000, 20_000));
    assert!(probe.pixels() > MAX_PIXELS);
}

#[test]
fn rules_fired_agree_with_pillow_in_default_and_deep_mode() {
    let corpus = corpus();
    // One example per image, labelled with its real type so only the verdict rules differ.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.jsonl");
    let mut jsonl = String::new();
    for name in corpus.keys() {
        let mime = match name.rsplit('.').next().unwrap() {
            "png" => "image/png",
            "jpg" => "image/jpeg",
            "webp" => "image/webp",
            "gif" => "image/gif",
            _ => "application/octet-stream",
        };
        let payload = base64::engine::general_purpose::STANDARD.encode(image_bytes(name));
        let line = serde_json::json!({"messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": format!("data:{mime};base64,{payload}")}}]},
            {"role": "assistant", "content": "ok"}]});
        writeln!(jsonl, "{line}").unwrap();
    }
    fs::write(&path, jsonl).unwrap();

    for depth in [ProbeDepth::Headers, ProbeDepth::Pixels] {
        let options = Options {
            depth,
            ..Options::new(Target::OpenAi)
        };
        let (diagnostics, _) = common::check_file_with(&path, &options, 2);
        let mut mismatches = Vec::new();
        for (line, (name, pillow)) in corpus.iter().enumerate() {
            let fired: BTreeSet<&str> = diagnostics
                .iter()
                .filter(|d| d.location.line == Some(line as u64 + 1))
                .filter(|d| d.severity == Severity::Error && d.rule.code.starts_with("VFT2"))
                .map(|d| d.rule.code)
                .collect();
            let expected = expected_rules(name, pillow);
            if fired != expected {
                mismatches.push(format!(
                    "{name}: vft {fired:?}, Pillow implies {expected:?}"
                ));
            }
        }
        assert!(
            mismatches.is_empty(),
            "depth {depth:?}:\n{}",
            mismatches.join("\n")
        );
    }
}

/// Python decodes base64 whose last symbol has non-zero unused bits, so the platform sees
/// the image: vft must probe it too, not skip it.
#[test]
fn images_with_non_canonical_base64_are_still_probed() {
    let mut payload =
        base64::engine::general_purpose::STANDARD.encode(image_bytes("gray-alpha.png"));
    let padding = payload.len() - payload.trim_end_matches('=').len();
    assert!(
        padding > 0,
        "gray-alpha.png must need padding for this test"
    );
    // Flip the lowest unused bit of the last symbol before the padding.
    let last = payload.len() - padding - 1;
    let flipped = match payload.as_bytes()[last] {
        b'A' => 'B',
        b'Q' => 'R',
        b'g' => 'h',
        b'w' => 'x',
        other => panic!("unexpected final symbol {}", other as char),
    };
    payload.replace_range(last..=last, &flipped.to_string());
    assert!(
        base64::engine::general_purpose::STANDARD
            .decode(&payload)
            .is_err(),
        "now non-canonical"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trailing-bits.jsonl");
    let line = serde_json::json!({"messages": [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{payload}")}}]},
        {"role": "assistant", "content": "ok"}]});
    fs::write(&path, format!("{line}\n")).unwrap();
    let (diagnostics, _) =
        common::check_file(&path, Target::OpenAi, vft::rules::RulePlan::all(), 1);
    let codes: Vec<_> = diagnostics.iter().map(|d| d.rule.code).collect();
    assert!(codes.contains(&"VFT213"), "{codes:?}");
    assert!(!codes.contains(&"VFT205"), "{codes:?}");
}
