//! Hostile input, the quick cases (issue 17): whatever the file holds, vft answers with a
//! verdict (exit 0 or 1), does not panic, keeps its memory bounded and writes nothing from
//! the file raw to the terminal. The cases that need gigabytes are in `hostile_memory.rs`.
#![allow(clippy::unwrap_used)]

#[path = "support/hostile.rs"]
mod hostile;

use std::fmt::Write as _;
use std::fs;

use std::time::Duration;

use hostile::{black_png, iccp_bomb, image_lines, run_vft, text_line, url_lines};

/// Bytes a terminal would act on: C0 controls other than LF (TAB aside), DEL, and C1
/// controls (as UTF-8: C2 80..=C2 9F), and ESC in particular.
fn raw_controls(output: &str) -> Vec<char> {
    output
        .chars()
        .filter(|&c| c != '\n' && vft::render::escape::is_unsafe(c))
        .collect()
}

/// Values that would retitle a terminal, ring it, rewrite a line, or forge an annotation.
const INJECTIONS: [&str; 4] = [
    "\u{1b}]0;pwned\u{7}",
    "x\r\u{1b}[2K::error file=forged.jsonl::forged",
    "y\n::error file=forged.jsonl::forged",
    "\u{9b}31m\u{7f}\u{202e}",
];

fn injection_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut jsonl = String::new();
    for value in INJECTIONS {
        // As a role (quoted in the message), as a key, and raw in an invalid line.
        jsonl.push_str(
            &serde_json::json!({"messages": [{"role": value, "content": "hi"}, {"role": "assistant", "content": "ok"}]})
                .to_string(),
        );
        jsonl.push('\n');
        jsonl.push_str(&serde_json::json!({value: 1, "messages": []}).to_string());
        jsonl.push('\n');
        writeln!(jsonl, "{{\"messages\": [{value}").unwrap();
    }
    let path = dir.join("inject\u{1b}[1m.jsonl");
    fs::write(&path, jsonl).unwrap();
    path
}

#[test]
fn control_characters_from_the_file_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let file = injection_file(dir.path());
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();
    for format in ["human", "concise", "github"] {
        let run = run_vft(&["check", "--format", format, &name], dir.path(), None, &[]);
        run.assert_verdict();
        let stdout = run.stdout();
        assert_eq!(
            raw_controls(&stdout),
            Vec::<char>::new(),
            "{format}: {stdout}"
        );
        assert!(
            !stdout.lines().any(|l| l.starts_with("::error file=forged")),
            "{format}: a value forged an annotation:\n{stdout}"
        );
        assert!(stdout.contains("\\u{1b}"), "{format}: ESC is shown escaped");
    }
}

#[test]
fn github_annotations_name_the_workspace_path_from_any_directory() {
    let workspace = tempfile::tempdir().unwrap();
    let gh = workspace.path().join("gh");
    let other = workspace.path().join("other");
    fs::create_dir_all(&gh).unwrap();
    fs::create_dir_all(&other).unwrap();
    fs::write(gh.join("pct.jsonl"), "{}\n").unwrap();
    let env = [("GITHUB_WORKSPACE", workspace.path().to_str().unwrap())];
    for (dir, file) in [
        (&gh, "pct.jsonl"),
        (&other, "../gh/pct.jsonl"),
        (&workspace.path().to_owned(), "./gh/../gh/pct.jsonl"),
    ] {
        let run = run_vft(&["check", "--format", "github", file], dir, None, &env);
        run.assert_verdict();
        let stdout = run.stdout();
        let files: Vec<&str> = stdout
            .lines()
            .filter_map(|l| l.split("file=").nth(1))
            .map(|rest| rest.split([',', ':']).next().unwrap())
            .collect();
        assert!(!files.is_empty(), "{stdout}");
        assert!(
            files.iter().all(|f| *f == "gh/pct.jsonl"),
            "from {}: {files:?}",
            dir.display()
        );
    }
}

#[test]
fn an_iccp_bomb_is_refused_without_inflating_it() {
    let dir = tempfile::tempdir().unwrap();
    let png = black_png(64, &[iccp_bomb(256 << 20)]);
    fs::write(
        dir.path().join("bomb.jsonl"),
        image_lines("image/png", &[&png]),
    )
    .unwrap();
    for deep in [false, true] {
        let mut args = vec!["check", "--format", "concise", "bomb.jsonl"];
        if deep {
            args.push("--deep");
        }
        let run = run_vft(&args, dir.path(), None, &[]);
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(
            run.stdout().contains("VFT214") && run.stdout().contains("inflates past 1 MiB"),
            "{}",
            run.stdout()
        );
        run.assert_peak_under(150);
    }
}

#[test]
fn deep_decoding_a_tall_png_holds_rows_not_the_frame() {
    let dir = tempfile::tempdir().unwrap();
    // 6000² RGB is 108 MB of pixels; decoded row by row it costs a few hundred KB.
    let png = black_png(6000, &[]);
    fs::write(
        dir.path().join("tall.jsonl"),
        image_lines("image/png", &[&png]),
    )
    .unwrap();
    let run = run_vft(&["check", "--deep", "tall.jsonl"], dir.path(), None, &[]);
    run.assert_verdict();
    assert!(!run.stdout().contains("VFT214"), "{}", run.stdout());
    run.assert_peak_under(120);
}

#[test]
fn a_ten_megabyte_key_makes_a_short_message() {
    let dir = tempfile::tempdir().unwrap();
    let key = "k".repeat(10 << 20);
    // The key is on a message, where unknown keys are an error (a top-level one could be
    // an RFT grader field) and the message quotes it.
    let line = serde_json::json!({"messages": [
        {"role": "user", "content": "Hi", key: 1},
        {"role": "assistant", "content": "Hello"},
    ]})
    .to_string();
    fs::write(dir.path().join("key.jsonl"), line + "\n").unwrap();
    let run = run_vft(&["check", "key.jsonl"], dir.path(), None, &[]);
    run.assert_verdict();
    assert!(
        run.stdout.len() < 64 << 10,
        "{} bytes of output",
        run.stdout.len()
    );
    assert!(
        run.stdout().contains("(10,485,760 bytes)"),
        "{}",
        run.stdout()
    );
}

#[test]
fn cr_only_line_endings_are_not_called_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let text = [text_line("a"), text_line("b")].join("\r") + "\r";
    fs::write(dir.path().join("cr.jsonl"), text).unwrap();
    let run = run_vft(
        &["check", "--format", "concise", "cr.jsonl"],
        dir.path(),
        None,
        &[],
    );
    run.assert_verdict();
    assert!(!run.stdout().contains("CRLF"), "{}", run.stdout());
    assert!(
        run.stdout().contains("VFT015") && run.stdout().contains("holds 2 CR-separated lines"),
        "{}",
        run.stdout()
    );
    assert!(!run.stdout().contains("VFT002"), "{}", run.stdout());
}

#[test]
fn absurd_numeric_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.jsonl"), text_line("a") + "\n").unwrap();
    for flag in [["-j", "100000"], ["--fetch-retries", "100000"]] {
        let run = run_vft(
            &["check", flag[0], flag[1], "ok.jsonl"],
            dir.path(),
            None,
            &[],
        );
        assert_eq!(run.code, Some(2), "{flag:?}: {}", run.stderr);
        assert!(run.elapsed.as_secs() < 10);
    }
}

/// What vft assumes of the platform's JSON parser (README, "JSON numbers"): numbers are
/// JSON as RFC 8259 writes them; `-0` is a number, and a number no double can hold is
/// refused.
#[test]
fn numbers_at_the_edges_of_json() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        r#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": -0}]}"#,
        r#"{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "n": 1e999999}"#,
    ];
    fs::write(dir.path().join("n.jsonl"), lines.join("\n") + "\n").unwrap();
    let run = run_vft(
        &["check", "--format", "concise", "n.jsonl"],
        dir.path(),
        None,
        &[],
    );
    run.assert_verdict();
    let stdout = run.stdout();
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with("n.jsonl:1:") && l.contains("VFT002")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("n.jsonl:2:") && l.contains("VFT002")),
        "{stdout}"
    );
}

/// The local server's answers for the fetch cases.
fn hostile_answers(path: &str) -> hostile::Answer {
    let png = black_png(8, &[]);
    let answer = |status, headers: Vec<(&'static str, String)>, body, pace| hostile::Answer {
        status,
        headers,
        body,
        pace,
    };
    match path {
        // 100 s of body, a byte a second.
        "/trickle.png" => answer(
            200,
            vec![("Content-Type", "image/png".into())],
            vec![0; 100],
            Some((1, Duration::from_secs(1))),
        ),
        "/busy.png" => answer(
            429,
            vec![("Retry-After", "999999".into())],
            Vec::new(),
            None,
        ),
        // An image with a validator, so that it is cached.
        _ => answer(
            200,
            vec![
                ("Content-Type", "image/png".into()),
                ("ETag", "\"v1\"".into()),
            ],
            png,
            None,
        ),
    }
}

#[test]
fn a_body_that_trickles_in_is_bounded_by_the_fetch_timeout() {
    let base = hostile::local_server(hostile_answers);
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("slow.jsonl"),
        url_lines(&[format!("{base}/trickle.png")]),
    )
    .unwrap();
    let args = [
        "check",
        "--allow-private-urls",
        "--no-cache",
        "--fetch-timeout",
        "2",
    ];
    let run = run_vft(
        &[&args[..], &["slow.jsonl"]].concat(),
        dir.path(),
        None,
        &[],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stdout().contains("VFT217"), "{}", run.stdout());
    // The body would take 100 s; the timeout (2 s) is what it costs, plus start-up.
    assert!(run.elapsed < Duration::from_secs(8), "{:?}", run.elapsed);
}

#[test]
fn a_retry_after_of_999999_seconds_is_not_waited_for() {
    let base = hostile::local_server(hostile_answers);
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("busy.jsonl"),
        url_lines(&[format!("{base}/busy.png")]),
    )
    .unwrap();
    let args = ["check", "--allow-private-urls", "--no-cache", "busy.jsonl"];
    let run = run_vft(&args, dir.path(), None, &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stdout().contains("429"), "{}", run.stdout());
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
}

#[test]
fn a_cache_entry_replaced_by_a_symlink_or_a_fifo_is_not_read() {
    let base = hostile::local_server(hostile_answers);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    fs::write(
        dir.path().join("ok.jsonl"),
        url_lines(&[format!("{base}/ok.png")]),
    )
    .unwrap();
    let args = [
        "check",
        "--allow-private-urls",
        "--format",
        "concise",
        "--cache-dir",
        cache.to_str().unwrap(),
        "ok.jsonl",
    ];
    let first = run_vft(&args, dir.path(), None, &[]);
    first.assert_verdict();
    let entries: Vec<_> = fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert!(!entries.is_empty(), "nothing was cached");
    let plant: [(&str, Plant); 2] = [
        ("a symlink to /dev/zero", |path| {
            std::os::unix::fs::symlink("/dev/zero", path).unwrap();
        }),
        ("a FIFO", |path| {
            let made = std::process::Command::new("mkfifo").arg(path).status();
            assert!(made.unwrap().success(), "mkfifo");
        }),
    ];
    for (what, plant) in plant {
        for entry in &entries {
            let _ = fs::remove_file(entry);
            plant(entry);
        }
        let run = run_vft(&args, dir.path(), None, &[]);
        run.assert_verdict();
        assert_eq!(run.code, first.code, "{what}: {}", run.stderr);
        assert!(
            run.elapsed < Duration::from_secs(10),
            "{what}: {:?}",
            run.elapsed
        );
        run.assert_peak_under(150);
    }
}

/// Replaces a cache entry with something hostile.
type Plant = fn(&std::path::Path);
