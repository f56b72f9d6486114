//! `vft fix --inline-urls` against a local HTTP server on 127.0.0.1 that each test starts:
//! fetched images embedded as data URIs and repaired, URLs that give no image set aside
//! with their reasons, nothing inlined without the flag. Nothing here touches the internet.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;
#[path = "support/hostile.rs"]
mod hostile;

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hostile::{Answer, Run, local_server, run_vft, text_line, url_lines};
use serde_json::Value;
use vft::engine::{Engine, FixSinks, Options};
use vft::fetch::{Config, READ_LIMIT};
use vft::fix::{FixPolicy, FixTally, ImageSettings};
use vft::target::Target;

fn fixture(name: &str) -> Vec<u8> {
    fs::read(common::fixtures().join("images").join(name)).unwrap()
}

fn image(name: &str, content_type: &str) -> Answer {
    Answer {
        status: 200,
        headers: vec![("Content-Type", content_type.to_owned())],
        body: fixture(name),
        pace: None,
    }
}

/// What the test server answers.
fn routes(path: &str) -> Answer {
    match path {
        "/palette.png" => image("palette.png", "image/png"),
        "/rgb.jpg" => image("rgb.jpg", "image/jpeg"),
        "/page.html" => Answer {
            status: 200,
            headers: vec![("Content-Type", "text/html".to_owned())],
            body: b"<!doctype html><title>not an image</title>".to_vec(),
            pace: None,
        },
        // Many distinct URLs for one photograph-sized image (the memory measurement).
        path if path.starts_with("/many/") => Answer {
            status: 200,
            headers: vec![("Content-Type", "image/jpeg".to_owned())],
            body: noise_jpeg().to_vec(),
            pace: None,
        },
        _ => Answer {
            status: 404,
            headers: Vec::new(),
            body: b"not found".to_vec(),
            pace: None,
        },
    }
}

/// A 512×512 JPEG of noise: a few hundred KB, like a photograph.
fn noise_jpeg() -> &'static [u8] {
    static JPEG: OnceLock<Vec<u8>> = OnceLock::new();
    JPEG.get_or_init(|| {
        let mut state = 0x2545_f491_u32;
        let pixels = image::RgbImage::from_fn(512, 512, |_, _| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let [r, g, b, _] = state.to_le_bytes();
            image::Rgb([r, g, b])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .encode_image(&pixels)
            .unwrap();
        jpeg
    })
}

/// `urls` as examples, padded with text-only ones to the 10 examples a file needs.
fn write_input(dir: &Path, urls: &[String]) -> Vec<u8> {
    let mut jsonl = url_lines(urls);
    for i in 0..10 {
        jsonl.push_str(&text_line(&format!("question {i}")));
        jsonl.push('\n');
    }
    fs::write(dir.join("in.jsonl"), &jsonl).unwrap();
    jsonl.into_bytes()
}

fn fix(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["fix", "in.jsonl", "-o", "out.jsonl", "--no-cache"];
    args.extend(extra);
    run_vft(&args, dir, None, &[])
}

/// The decoded bytes of every data-URI image of `line`, with its media type.
fn data_images(line: &str) -> Vec<(String, Vec<u8>)> {
    let value: Value = serde_json::from_str(line).unwrap();
    let mut found = Vec::new();
    for message in value["messages"].as_array().unwrap() {
        for part in message["content"].as_array().into_iter().flatten() {
            let Some(url) = part["image_url"]["url"].as_str() else {
                continue;
            };
            let (head, payload) = url.split_once(";base64,").unwrap();
            let mime = head.strip_prefix("data:").unwrap().to_owned();
            found.push((mime, STANDARD.decode(payload).unwrap()));
        }
    }
    found
}

#[test]
fn fetched_images_are_embedded_repaired_and_unfetchable_ones_set_aside() {
    let base = local_server(routes);
    let dir = tempfile::tempdir().unwrap();
    let urls = [
        format!("{base}/palette.png"),
        format!("{base}/rgb.jpg"),
        format!("{base}/missing.png"),
        format!("{base}/page.html"),
    ];
    let input = write_input(dir.path(), &urls);
    let input_lines: Vec<&str> = std::str::from_utf8(&input).unwrap().lines().collect();

    let run = fix(dir.path(), &["--inline-urls", "--allow-private-urls"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("      2  image URLs inlined as data URIs (--inline-urls)"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read(dir.path().join("in.jsonl")).unwrap(), input);

    // The palette PNG became RGB; the JPEG needed nothing and is embedded as it was served.
    let out = fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let out_lines: Vec<&str> = out.lines().collect();
    assert_eq!(out_lines.len(), 12);
    assert!(!out.contains("http://"), "{out}");
    let palette = data_images(out_lines[0]);
    assert_eq!(palette.len(), 1);
    assert_eq!(palette[0].0, "image/png");
    let decoded = image::load_from_memory(&palette[0].1).unwrap();
    assert_eq!(decoded.color(), image::ColorType::Rgb8);
    let source = image::load_from_memory(&fixture("palette.png")).unwrap();
    assert_eq!(decoded.to_rgb8(), source.to_rgb8());
    assert_eq!(
        data_images(out_lines[1]),
        vec![("image/jpeg".to_owned(), fixture("rgb.jpg"))]
    );
    // Everything but the image URL is as it was.
    let mut fixed: Value = serde_json::from_str(out_lines[1]).unwrap();
    let original: Value = serde_json::from_str(input_lines[1]).unwrap();
    fixed["messages"][0]["content"][0]["image_url"]["url"] =
        original["messages"][0]["content"][0]["image_url"]["url"].clone();
    assert_eq!(fixed, original);
    assert_eq!(&out_lines[2..], &input_lines[4..]);

    // The 404 and the HTML page are set aside unchanged, with the check's reasons.
    let rejects = fs::read_to_string(dir.path().join("out.rejects.jsonl")).unwrap();
    assert_eq!(rejects, format!("{}\n{}\n", input_lines[2], input_lines[3]));
    let reasons: Vec<Value> = fs::read_to_string(dir.path().join("out.rejects.reasons.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reasons[0]["line"], 3);
    assert_eq!(reasons[0]["reasons"][0]["code"], "VFT217");
    assert!(
        reasons[0]["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("404"),
        "{reasons:?}"
    );
    assert_eq!(reasons[1]["line"], 4);
    assert_eq!(reasons[1]["reasons"][0]["code"], "VFT211");

    // The platform takes the output, with no network needed.
    let check = run_vft(&["check", "--offline", "out.jsonl"], dir.path(), None, &[]);
    assert_eq!(check.code, Some(0), "{}", check.stdout());

    // A second run changes nothing.
    fs::rename(dir.path().join("out.jsonl"), dir.path().join("in.jsonl")).unwrap();
    let again = fix(dir.path(), &["--inline-urls", "--allow-private-urls"]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(
        fs::read_to_string(dir.path().join("out.jsonl")).unwrap(),
        out
    );
}

#[test]
fn without_the_flag_urls_are_left_byte_for_byte() {
    let base = local_server(routes);
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(
        dir.path(),
        &[format!("{base}/palette.png"), format!("{base}/missing.png")],
    );
    let run = fix(dir.path(), &["--allow-private-urls"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(fs::read(dir.path().join("out.jsonl")).unwrap(), input);
    assert!(!run.stderr.contains("inlined"), "{}", run.stderr);
}

#[test]
fn a_private_address_is_refused_and_set_aside() {
    let base = local_server(routes);
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(dir.path(), &[format!("{base}/rgb.jpg")]);
    let run = fix(dir.path(), &["--inline-urls"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let first = std::str::from_utf8(&input).unwrap().lines().next().unwrap();
    assert_eq!(
        fs::read_to_string(dir.path().join("out.rejects.jsonl")).unwrap(),
        format!("{first}\n")
    );
    let reasons = fs::read_to_string(dir.path().join("out.rejects.reasons.jsonl")).unwrap();
    assert!(reasons.contains("VFT218"), "{reasons}");
}

#[test]
fn keep_invalid_keeps_an_unfetchable_url_as_it_was() {
    let base = local_server(routes);
    let dir = tempfile::tempdir().unwrap();
    let input = write_input(
        dir.path(),
        &[format!("{base}/missing.png"), format!("{base}/rgb.jpg")],
    );
    let run = fix(
        dir.path(),
        &["--inline-urls", "--allow-private-urls", "--keep-invalid"],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let out = fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    let input = String::from_utf8(input).unwrap();
    assert_eq!(out.lines().next(), input.lines().next());
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .contains("data:image/jpeg;base64,")
    );
    assert!(!dir.path().join("out.rejects.jsonl").exists());
}

#[test]
fn offline_and_inline_urls_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write_input(dir.path(), &["https://example.com/a.png".to_owned()]);
    let run = fix(dir.path(), &["--inline-urls", "--offline"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("`--inline-urls` fetches image URLs"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out.jsonl").exists());
}

/// 64 and 256 distinct URLs of a noise JPEG: the larger run holds no more at once than the
/// smaller one (the batches in flight and the fetcher's byte budget bound it), though its
/// output is four times as large.
#[test]
fn memory_does_not_grow_with_the_number_of_urls() {
    let base = local_server(routes);
    let image_bytes = noise_jpeg().len() as u64;
    let mut peaks = Vec::new();
    for count in [64, 256] {
        let dir = tempfile::tempdir().unwrap();
        let urls: Vec<String> = (0..count).map(|i| format!("{base}/many/{i}.jpg")).collect();
        write_input(dir.path(), &urls);
        let run = fix(dir.path(), &["--inline-urls", "--allow-private-urls"]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let out = fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
        assert_eq!(out.matches("data:image/jpeg;base64,").count(), count);
        peaks.push(run.peak_rss);
    }
    // Holding every line would add 192 images' base64 (about 4/3 of their bytes each).
    let held_all = 192 * image_bytes * 4 / 3;
    assert!(
        peaks[1] < peaks[0] + held_all / 4,
        "peak RSS {} MiB for 64 URLs, {} MiB for 256 ({} MiB would be every line held)",
        peaks[0] >> 20,
        peaks[1] >> 20,
        held_all >> 20
    );
}

/// The smallest byte budget (one body at the read limit) lets only the lowest waiting ticket
/// take its share: the bodies are read strictly in line order, one at a time, while four
/// workers wait for lines of three batches in flight. The run ends, every image inlined.
#[test]
fn a_budget_of_one_body_reads_them_in_line_order_without_waiting_for_ever() {
    let base = local_server(routes);
    let dir = tempfile::tempdir().unwrap();
    let urls: Vec<String> = (0..60).map(|i| format!("{base}/many/{i}.jpg")).collect();
    write_input(dir.path(), &urls);
    let options = Options {
        fetch: Config {
            allow_private: true,
            body_bytes: READ_LIMIT,
            ..Config::default()
        },
        online: true,
        ..Options::new(Target::OpenAi)
    };
    let engine = Engine::new(options, 4).unwrap();
    let policy = FixPolicy {
        unsafe_fixes: false,
        fixable: vft::config::fixable_rules(None, &[]).unwrap(),
        keep_invalid: false,
        inline_urls: true,
        image: ImageSettings {
            max_bytes: 10_000_000,
            keep_icc: false,
            fit_detail: None,
        },
    };
    let input = dir.path().join("in.jsonl");
    // A run that waits for ever fails here instead of hanging the test run.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut output, mut rejects) = (Vec::new(), Vec::new());
        let mut sinks = FixSinks {
            output: Some(&mut output),
            rejects: Some(&mut rejects),
            reasons: None,
            diff: None,
        };
        let mut tally = FixTally::default();
        let ended = engine.fix_path(&input, &policy, &mut sinks, &mut tally);
        let _ = done.send((ended.is_ok(), output, rejects, tally));
    });
    let (ok, output, rejects, tally) = finished
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the run waits for ever");
    assert!(ok);
    assert_eq!(tally.inlined, 60, "{:?}", tally.notes);
    assert!(rejects.is_empty());
    let output = String::from_utf8(output).unwrap();
    assert_eq!(output.matches("data:image/jpeg;base64,").count(), 60);
}
