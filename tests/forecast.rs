//! The training-set forecast of `vft check`'s summary, on fixtures with a known skip of each
//! reason (`fixtures/forecast/mixed.jsonl`, written by `fixtures/generate.py`; the URL
//! reason is in `tests/urls.rs`, against a local server), and Azure's 200-skip threshold
//! with certain and probable skips.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;

use assert_cmd::Command;
use serde_json::{Value, json};

/// `fixtures/forecast/mixed.jsonl`, line by line: 1 a photo (trains), 2 a portrait (face:
/// probable), 3 a grayscale PNG (mode), 4 a photo and a grayscale PNG (loses one), 5 a GIF
/// (format), 6 a decompression bomb (size: pixels), 7 text only.
fn mixed() -> std::path::PathBuf {
    common::fixtures().join("forecast/mixed.jsonl")
}

fn check(args: &[&str], file: &std::path::Path) -> (i32, Vec<Value>, Value) {
    let output = Command::cargo_bin("vft")
        .unwrap()
        .args(["check", "--isolated", "--offline", "--format", "json"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    common::json_records(&output)
}

fn human(args: &[&str], file: &std::path::Path) -> String {
    let output = Command::cargo_bin("vft")
        .unwrap()
        .args(["check", "--isolated", "--offline", "--color", "never"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_figure_of_the_mixed_file_with_faces_screened() {
    let (_, diagnostics, summary) = check(&["--faces", "on"], &mixed());
    let forecast = &summary["forecast"];
    let expected = json!({
        "examples": 7,
        "examples_with_images": 6,
        "keep_all_images": 1,
        "lose_some_images": 1,
        "lose_all_images": 4,
        "images": 7,
        "images_skipped": 5,
        "images_skipped_by_reason": {"format": 1, "mode": 2, "size": 1, "url": 0, "face": 1},
        "images_probably_skipped": 1,
        "images_unverified": 0,
        "faces_screened": true,
        "azure_skip_threshold": {
            "limit": 200, "certain": 4, "probable": 1, "files_over": 0, "files_over_if_probable": 0
        },
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&forecast[key], value, "forecast.{key}");
    }
    // The face is on line 2, and only there.
    let faces: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "VFT220")
        .collect();
    assert_eq!(faces.len(), 1);
    assert_eq!(faces[0]["location"]["line"], 2);
    assert_eq!(faces[0]["severity"], "warning");

    // What trains: the skipped images' tokens are left out, the text trains.
    let tokens = &forecast["tokens"];
    let total = tokens["total"].as_u64().unwrap();
    let trained = tokens["trained"].as_u64().unwrap();
    assert_eq!(total, summary["tokens"]["total"].as_u64().unwrap());
    assert!(trained < total && trained > 0, "{tokens}");
    assert!(tokens["cost_trained"].as_f64().unwrap() < tokens["cost"].as_f64().unwrap());
    assert!(tokens["billed_trained"].as_u64().unwrap() < tokens["billed"].as_u64().unwrap());
}

#[test]
fn without_screening_faces_are_not_counted_and_the_summary_says_so() {
    let (_, diagnostics, summary) = check(&[], &mixed());
    assert!(diagnostics.iter().all(|d| d["code"] != "VFT220"));
    let forecast = &summary["forecast"];
    assert_eq!(forecast["faces_screened"], false);
    assert_eq!(forecast["images_skipped_by_reason"]["face"], 0);
    assert_eq!(forecast["keep_all_images"], 2);
    assert_eq!(forecast["lose_all_images"], 3);
    let text = human(&[], &mixed());
    assert!(
        text.contains(
            "Forecast: of 6 with images, 2 keep all, 1 lose some, 3 lose all and train as text only; faces not screened (--faces on screens them)"
        ),
        "{text}"
    );
    assert!(
        text.contains("  4 of 7 images skipped: format 1, colour mode 2, size 1"),
        "{text}"
    );
}

#[test]
fn the_human_summary_gives_the_forecast() {
    let text = human(&["--faces", "on"], &mixed());
    for expected in [
        "Forecast: of 6 with images, 1 keep all, 1 lose some, 4 lose all and train as text only\n",
        "  5 of 7 images skipped: format 1, colour mode 2, size 1, face (probable) 1\n",
        "  Azure's limit of 200 skipped image examples: 4 certain + 1 probable, under the limit\n",
        "  trains ",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}

#[test]
fn a_clean_file_forecasts_that_every_image_trains() {
    let file = common::fixtures().join("valid/docs-examples.jsonl");
    let (_, _, summary) = check(&["--faces", "on"], &file);
    assert_eq!(summary["forecast"]["images_skipped"], 0);
    assert_eq!(summary["forecast"]["keep_all_images"], 8);
    let text = human(&["--faces", "on"], &file);
    assert!(text.contains("Forecast: every image trains\n"), "{text}");
}

#[test]
fn a_text_only_file_has_no_forecast_line() {
    let file = common::fixtures().join("methods/dpo.jsonl");
    let text = human(&[], &file);
    assert!(!text.contains("Forecast"), "{text}");
    assert!(text.contains("Checked 1 file"), "{text}");
}

/// A file of `gray` examples with a grayscale PNG (certain skips) and `faces` with a
/// portrait (probable skips), from the mixed fixture's lines 3 and 2.
fn skips_file(gray: usize, faces: usize) -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(mixed()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for _ in 0..gray {
        out.push_str(lines[2]);
        out.push('\n');
    }
    for _ in 0..faces {
        out.push_str(lines[1]);
        out.push('\n');
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), out).unwrap();
    file
}

#[test]
fn probable_skips_can_take_a_file_over_azures_limit_without_an_error() {
    let file = skips_file(150, 61);
    let args = ["--target", "azure", "--faces", "on"];
    let (_, diagnostics, summary) = check(&args, file.path());
    // Certain skips alone are under 200: no error, but the forecast says where it stands.
    assert!(diagnostics.iter().all(|d| d["code"] != "VFT405"));
    let threshold = &summary["forecast"]["azure_skip_threshold"];
    assert_eq!(threshold["certain"], 150);
    assert_eq!(threshold["probable"], 61);
    assert_eq!(threshold["files_over"], 0);
    assert_eq!(threshold["files_over_if_probable"], 1);
    let text = human(&args, file.path());
    assert!(
        text.contains(
            "Azure's limit of 200 skipped image examples: 150 certain + 61 probable, over the limit if the probable ones are skipped"
        ),
        "{text}"
    );
}

#[test]
fn certain_skips_over_the_limit_fail_and_name_the_probable_ones() {
    let file = skips_file(201, 3);
    let args = ["--target", "azure", "--faces", "on"];
    let (_, diagnostics, summary) = check(&args, file.path());
    let error: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "VFT405")
        .collect();
    assert_eq!(error.len(), 1);
    let message = error[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("201 examples have images Azure will skip")
            && message.contains("(3 more probably, for faces)"),
        "{message}"
    );
    assert_eq!(summary["forecast"]["azure_skip_threshold"]["files_over"], 1);
}
