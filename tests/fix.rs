//! `vft fix` end to end, through the binary: what it fixes, and that it loses nothing.
//!
//! - every rule with a fix: its fail fixtures, fixed, no longer trigger it;
//! - the image corpus (`fixtures/images/`): every image fixable in pure Rust comes out as
//!   one the platform takes, the rest are set aside;
//! - lines that need no fix are byte for byte the same; output and rejects together hold
//!   every input line, in order; a second run changes nothing; the input never changes
//!   without `--in-place`, and a failure leaves it and the destination as they were.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use base64::Engine as _;
use serde_json::Value;
use vft::rules::REGISTRY;

/// `vft fix ARGS…` with no configuration file; returns (exit code, stderr).
fn fix(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("vft")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("fix")
        .arg("--isolated")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `vft fix INPUT -o OUT --unsafe-fixes`.
fn fix_all(input: &Path, out: &Path) -> (i32, String) {
    fix(&[
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--unsafe-fixes",
    ])
}

/// The line numbers a reasons file lists, in its order.
fn rejected_lines(reasons: &Path) -> Vec<u64> {
    fs::read_to_string(reasons)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

/// The codes `vft check --offline` reports on `path`.
fn codes(path: &Path, extra: &[&str]) -> Vec<String> {
    let out = Command::cargo_bin("vft")
        .unwrap()
        .args(["check", "--isolated", "--offline", "--format", "json"])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    // JSON Lines: one object per diagnostic, then the summary.
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|d| d["type"] == "diagnostic")
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// The options a fixture's name asks for (as tests/rules.rs reads them).
fn fixture_options(name: &str) -> Vec<&'static str> {
    let mut options = Vec::new();
    if name.contains(".azure.") {
        options.extend(["--target", "azure"]);
    }
    for method in ["dpo", "sft", "rft"] {
        if name.contains(&format!(".{method}.")) {
            options.extend(["--method", method]);
        }
    }
    options
}

#[test]
fn every_fixable_rule_is_fixed_on_its_fail_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for rule in REGISTRY.iter().filter(|r| r.fix.is_some()) {
        let fixtures = common::fixtures()
            .join("rules")
            .join(format!("{}-{}", rule.code, rule.name));
        let mut fails: Vec<PathBuf> = fs::read_dir(&fixtures)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("fail") && name.ends_with(".jsonl")
            })
            .collect();
        fails.sort();
        assert!(!fails.is_empty(), "{} has no fail fixture", rule.code);
        for input in fails {
            let name = input.file_name().unwrap().to_string_lossy().into_owned();
            let options = fixture_options(&name);
            let before = codes(&input, &options);
            assert!(
                before.iter().any(|c| c == rule.code),
                "{name} does not trigger {}",
                rule.code
            );
            let out = dir.path().join(format!("{}-{name}", rule.code));
            let mut args = vec![
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--unsafe-fixes",
            ];
            args.extend(&options);
            let (code, stderr) = fix(&args);
            assert!(
                code == 0 || code == 1,
                "{}: {name}: exit {code}: {stderr}",
                rule.code
            );
            let after = codes(&out, &options);
            assert!(
                !after.iter().any(|c| c == rule.code),
                "{}: {name} still triggers it after `vft fix`: {after:?}\n{stderr}",
                rule.code
            );
            // Nothing lost: every input line is in the output or the rejects.
            let rejects = out.with_file_name(format!(
                "{}-{}",
                rule.code,
                name.replace(".jsonl", ".rejects.jsonl")
            ));
            let rejected = fs::read(&rejects).map_or(0, |b| lines(&b).len());
            let blank = |b: &&[u8]| b.iter().all(u8::is_ascii_whitespace);
            let input_examples = lines(&fs::read(&input).unwrap())
                .iter()
                .filter(|l| !blank(l))
                .count();
            let output_examples = lines(&fs::read(&out).unwrap())
                .iter()
                .filter(|l| !blank(l))
                .count();
            assert_eq!(
                input_examples,
                output_examples + rejected,
                "{}: {name}: lines lost",
                rule.code
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} fixtures");
}

/// A training example with one image, as a data URI of `bytes` labelled `mime`.
fn image_example(mime: &str, bytes: &[u8]) -> String {
    let uri = format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    );
    serde_json::json!({"messages": [
        {"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": uri, "detail": "low"}}]},
        {"role": "assistant", "content": "A picture."}
    ]})
    .to_string()
}

/// The image corpus as one file: each image of `fixtures/images/` in an example, labelled
/// `image/png` (so JPEGs and WEBPs also need a relabel).
fn corpus_file(dir: &Path) -> (PathBuf, Vec<String>) {
    let images = common::fixtures().join("images");
    let mut names: Vec<String> = fs::read_dir(&images)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "expected.json")
        .collect();
    names.sort();
    let mut text = String::new();
    for name in &names {
        text.push_str(&image_example(
            "image/png",
            &fs::read(images.join(name)).unwrap(),
        ));
        text.push('\n');
    }
    let path = dir.join("corpus.jsonl");
    fs::write(&path, text).unwrap();
    (path, names)
}

#[test]
fn the_image_corpus_comes_out_as_images_the_platform_takes_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (input, names) = corpus_file(dir.path());
    let original = fs::read(&input).unwrap();
    let out = dir.path().join("fixed.jsonl");
    let (code, stderr) = fix_all(&input, &out);
    assert_eq!(code, 1, "corrupt images are set aside, so exit 1: {stderr}");
    assert_eq!(fs::read(&input).unwrap(), original, "the input changed");

    // Every image the platform would skip for a fixable reason is fixed.
    let fixed_rules = ["VFT206", "VFT211", "VFT212", "VFT213", "VFT215"];
    let after = codes(&out, &[]);
    for code in fixed_rules {
        assert!(
            !after.iter().any(|c| c == code),
            "{code} left after fix: {after:?}\n{stderr}"
        );
    }
    let errors_after: Vec<&String> = after.iter().filter(|c| c.as_str() != "VFT401").collect();
    assert!(
        errors_after
            .iter()
            .all(|c| c.starts_with("VFT3") || c.as_str() == "VFT207"),
        "fixed file still has {errors_after:?}"
    );

    // Output and rejects hold every line, in order.
    let output = fs::read(&out).unwrap();
    let rejects = fs::read(dir.path().join("fixed.rejects.jsonl")).unwrap();
    let rejected_lines = rejected_lines(&dir.path().join("fixed.rejects.reasons.jsonl"));
    assert_eq!(lines(&rejects).len(), rejected_lines.len());
    assert_eq!(lines(&output).len() + rejected_lines.len(), names.len());
    let input_lines = lines(&original);
    for (line, rejected) in rejected_lines.iter().zip(lines(&rejects)) {
        assert_eq!(
            input_lines[usize::try_from(*line).unwrap() - 1],
            rejected,
            "reject {line} changed"
        );
    }
    let mut sorted = rejected_lines.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, rejected_lines, "rejects out of order");
    // What is set aside is what cannot be fixed: undecodable or corrupt images.
    let set_aside: Vec<&str> = rejected_lines
        .iter()
        .map(|l| names[usize::try_from(*l).unwrap() - 1].as_str())
        .collect();
    for name in [
        "rgb.png",
        "rgb.jpg",
        "palette.png",
        "cmyk.jpg",
        "gray16.png",
        "image.bmp",
        "image.gif",
        "still.gif",
        "image.tiff",
        "image.ico",
    ] {
        if names.iter().any(|n| n == name) {
            assert!(
                !set_aside.contains(&name),
                "{name} was set aside: {set_aside:?}\n{stderr}"
            );
        }
    }
    for name in [
        "image.avif",
        "image.svg",
        "image.pdf",
        "random.bin",
        "empty.bin",
    ] {
        if names.iter().any(|n| n == name) {
            assert!(set_aside.contains(&name), "{name} was not set aside");
        }
    }

    // A second run changes nothing.
    let again = dir.path().join("again.jsonl");
    let (code, stderr) = fix(&[
        out.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
        "--unsafe-fixes",
    ]);
    assert_eq!(
        fs::read(&again).unwrap(),
        output,
        "not idempotent: {stderr}"
    );
    assert!(stderr.contains("Fixed 0 lines"), "{stderr}");
    assert!(code == 0 || code == 1);
}

#[test]
fn text_fixes_change_only_what_they_name() {
    let dir = tempfile::tempdir().unwrap();
    let clean = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#;
    let nulls = r#"{"messages": [{"role": "user", "content": "Hi"}, {"content": "Hello", "refusal": null, "role": "assistant", "audio": null, "function_call": null, "tool_calls": null}]}"#;
    let weight = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello \"1.0\"", "weight": 1.0}]}"#;
    let quoted = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": "1"}]}"#;
    let input = format!("\u{feff}{clean}\r\n\r\n{nulls}\r\n\n{weight}\r\n{quoted}\r\n{clean}");
    let path = dir.path().join("in.jsonl");
    fs::write(&path, &input).unwrap();
    let out = dir.path().join("out.jsonl");
    let (code, stderr) = fix(&[path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let expected = format!(
        "{clean}\n{}\n{}\n{}\n{clean}",
        r#"{"messages": [{"role": "user", "content": "Hi"}, {"content": "Hello", "role": "assistant"}]}"#,
        r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello \"1.0\"", "weight": 1}]}"#,
        r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 1}]}"#,
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), expected, "{stderr}");
    for rule in ["VFT004", "VFT005", "VFT006", "VFT115", "VFT303"] {
        assert!(stderr.contains(rule), "{rule} not in the report:\n{stderr}");
    }
    // Only what no fix can change is left: fewer than 10 examples, no system message.
    let left = codes(&out, &[]);
    assert!(
        left.iter().all(|c| c == "VFT401" || c == "VFT308"),
        "{left:?}"
    );
    // Azure's docs ask for a BOM: the fix adds one.
    let azure = dir.path().join("azure.jsonl");
    let (code, stderr) = fix(&[
        out.to_str().unwrap(),
        "-o",
        azure.to_str().unwrap(),
        "--target",
        "azure",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        fs::read(&azure).unwrap(),
        [b"\xEF\xBB\xBF".as_slice(), expected.as_bytes()].concat()
    );
}

#[test]
fn an_ambiguous_weight_is_left_and_its_line_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 0.5}]}"#;
    let path = dir.path().join("in.jsonl");
    fs::write(&path, format!("{line}\n")).unwrap();
    let out = dir.path().join("out.jsonl");
    let rejects = dir.path().join("aside.jsonl");
    let (code, stderr) = fix(&[
        path.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "");
    assert_eq!(fs::read_to_string(&rejects).unwrap(), format!("{line}\n"));
    let reasons: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("aside.reasons.jsonl")).unwrap())
            .unwrap();
    assert_eq!(reasons["line"], 1);
    assert_eq!(reasons["reasons"][0]["code"], "VFT303");
    // With --keep-invalid it stays in the output, unchanged.
    let (code, _) = fix(&[
        path.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--keep-invalid",
    ]);
    assert_eq!(code, 1);
    assert_eq!(fs::read_to_string(&out).unwrap(), format!("{line}\n"));
}

#[test]
fn diff_writes_nothing_and_says_what_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.jsonl");
    let line = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "refusal": null}]}"#;
    fs::write(&path, format!("{line}\n")).unwrap();
    let out = Command::cargo_bin("vft")
        .unwrap()
        .args(["fix", "--isolated", "--diff"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains("+++ ") && diff.contains("VFT115"), "{diff}");
    assert!(diff.contains(r#"+{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#), "{diff}");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "--diff wrote a file"
    );
    // Nothing to do: exit 0.
    let clean = dir.path().join("clean.jsonl");
    fs::write(&clean, r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#.to_owned() + "\n").unwrap();
    let (code, stderr) = fix(&["--diff", clean.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn in_place_replaces_the_file_only_when_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.jsonl");
    let line = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "refusal": null}]}"#;
    let invalid = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 0.5}]}"#;
    fs::write(&path, format!("{line}\n{invalid}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    }
    // A failure at the end (the rejects file cannot be put in place: a directory has its
    // name) leaves the input as it was and no file beside it.
    fs::create_dir(dir.path().join("train.rejects.jsonl")).unwrap();
    let (code, stderr) = fix(&["--in-place", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("{line}\n{invalid}\n")
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        2,
        "a temporary file was left"
    );
    fs::remove_dir(dir.path().join("train.rejects.jsonl")).unwrap();

    let (code, stderr) = fix(&["--in-place", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("train.rejects.jsonl")).unwrap(),
        format!("{invalid}\n")
    );
    fs::remove_file(dir.path().join("train.rejects.jsonl")).unwrap();
    fs::remove_file(dir.path().join("train.rejects.reasons.jsonl")).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#.to_owned() + "\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "files left beside the input"
    );
}

#[test]
fn the_output_may_not_be_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.jsonl");
    fs::write(&path, "{}\n").unwrap();
    let (code, stderr) = fix(&[path.to_str().unwrap(), "-o", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--in-place"), "{stderr}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "{}\n");
}

#[test]
fn standard_input_to_standard_output() {
    let line = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "refusal": null}]}"#;
    let out = Command::cargo_bin("vft")
        .unwrap()
        .args(["fix", "--isolated", "-", "-o", "-", "--keep-invalid"])
        .write_stdin(format!("{line}\r\n"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}"#.to_owned() + "\n"
    );
}

/// The images of a JSON Lines line's messages, decoded.
fn line_images(line: &str) -> Vec<Vec<u8>> {
    let json: Value = serde_json::from_str(line).unwrap();
    let mut images = Vec::new();
    for message in json["messages"].as_array().unwrap() {
        for part in message["content"].as_array().into_iter().flatten() {
            if let Some(url) = part["image_url"]["url"].as_str() {
                let payload = url.split_once(',').unwrap().1;
                images.push(
                    base64::engine::general_purpose::STANDARD
                        .decode(payload)
                        .unwrap(),
                );
            }
        }
    }
    images
}

/// `fixtures/fix/pillow-verdict.json` is Pillow's verdict on the images `vft fix` makes of
/// `fixtures/fix/mixed.jsonl` (a real photograph in the modes and formats the platform
/// skips), keyed to their CRC-32: every one loads, is RGB or RGBA, PNG or JPEG, and looks
/// like Pillow's own conversion of its source.
#[test]
fn pillow_accepts_every_fixed_image_and_it_looks_like_its_source() {
    let fixtures = common::fixtures().join("fix");
    let verdict: Value =
        serde_json::from_str(&fs::read_to_string(fixtures.join("pillow-verdict.json")).unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fixed.jsonl");
    let input = fixtures.join("mixed.jsonl");
    let (code, stderr) = fix_all(&input, &out);
    assert_eq!(code, 1, "the truncated image is set aside: {stderr}");
    let rejected = rejected_lines(&dir.path().join("fixed.rejects.reasons.jsonl"));
    let input_lines = fs::read_to_string(&input).unwrap();
    let kept = (1..)
        .take(input_lines.lines().filter(|l| !l.trim().is_empty()).count())
        .filter(|n| !rejected.contains(n));
    let mut checked = 0;
    for (number, line) in kept.zip(fs::read_to_string(&out).unwrap().lines()) {
        for (index, image) in line_images(line).iter().enumerate() {
            let key = format!("line {number} image {index}");
            let entry = &verdict[&key];
            assert_eq!(
                entry["crc32"].as_str(),
                Some(format!("{:08x}", crc32fast::hash(image)).as_str()),
                "{key}: vft now makes other bytes than Pillow judged; run `python3 fixtures/fix/generate.py` after `cargo build`"
            );
            assert_eq!(entry["load"], "ok", "{key}");
            assert!(
                ["RGB", "RGBA"].contains(&entry["mode"].as_str().unwrap()),
                "{key}: {entry}"
            );
            assert!(
                ["PNG", "JPEG"].contains(&entry["format"].as_str().unwrap()),
                "{key}: {entry}"
            );
            assert!(
                entry["mean_abs_diff"].as_f64().unwrap() <= 2.0,
                "{key}: looks unlike its source: {entry}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, verdict.as_object().unwrap().len());
    assert!(checked >= 8, "{checked}");
}

/// The JSON summary's total tokens of `path`.
fn total_tokens(path: &Path) -> u64 {
    let out = Command::cargo_bin("vft")
        .unwrap()
        .args(["stats", "--offline", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    // JSON Lines: per-example records, then the totals.
    let stdout = String::from_utf8(out.stdout).unwrap();
    let totals: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(totals["type"], "totals");
    totals["total"].as_u64().unwrap()
}

#[test]
#[allow(clippy::cast_possible_truncation)] // a gradient: each channel wraps at 256 by design
fn fit_detail_makes_images_smaller_and_keeps_their_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let picture = image::RgbImage::from_fn(1600, 1200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&picture)
        .unwrap();
    let mut text = String::new();
    for detail in ["low", "high"] {
        text.push_str(
            &image_example("image/jpeg", &jpeg).replace("\"low\"", &format!("\"{detail}\"")),
        );
        text.push('\n');
    }
    let input = dir.path().join("big.jsonl");
    fs::write(&input, &text).unwrap();
    let out = dir.path().join("fit.jsonl");
    let (code, stderr) = fix(&[
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--fit-detail",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1600×1200 → 512×384"), "{stderr}");
    assert!(stderr.contains("1600×1200 → 1024×768"), "{stderr}");
    assert!(fs::metadata(&out).unwrap().len() < fs::metadata(&input).unwrap().len());
    assert_eq!(total_tokens(&out), total_tokens(&input));
    // Without the flag the images need no fix and stay as they are.
    let (code, _) = fix(&[input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(fs::read(&out).unwrap(), fs::read(&input).unwrap());
}
