//! The `vft` binary end to end: exit codes, stdin, several files, output formats, and the
//! reader's edge cases.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;

use std::fs;
use std::io::Write;

use assert_cmd::Command;
use serde_json::Value;

fn vft() -> Command {
    let mut cmd = Command::cargo_bin("vft").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    cmd
}

/// Runs `vft check --format json ARGS` and returns (exit code, diagnostics, summary).
fn check_json(args: &[&str]) -> (i32, Vec<Value>, Value) {
    let output = vft()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    common::json_records(&output)
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_valid_file_exits_zero() {
    let (code, diagnostics, summary) = check_json(&["fixtures/valid/docs-examples.jsonl"]);
    assert_eq!(code, 0, "{diagnostics:?}");
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["examples"], 10);
}

#[test]
fn findings_exit_one_and_tool_failures_exit_two() {
    vft()
        .args(["check", "fixtures/rules/VFT102-empty-messages/fail.jsonl"])
        .assert()
        .code(1);
    vft()
        .args(["check", "no/such/file.jsonl"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "cannot read `no/such/file.jsonl`",
        ));
    vft()
        .args([
            "check",
            "--target",
            "gcp",
            "fixtures/valid/docs-examples.jsonl",
        ])
        .assert()
        .code(2);
    vft().arg("check").assert().code(2);
    vft().args(["rule", "VFT999"]).assert().code(2);
}

#[test]
fn a_read_error_after_opening_is_a_tool_failure() {
    // A directory opens on Unix but cannot be read.
    vft()
        .args(["check", "fixtures"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read `fixtures`"));
}

#[test]
fn warnings_and_infos_alone_exit_zero() {
    // Ten valid examples after a byte-order mark: one warning.
    let (code, diagnostics, summary) = check_json(&["fixtures/input/bom.jsonl"]);
    assert_eq!(code, 0);
    assert_eq!(codes(&diagnostics), ["VFT006"]);
    assert_eq!(summary["warnings"], 1);
    // Ten valid examples with CRLF endings: one info.
    let (code, diagnostics, summary) = check_json(&["fixtures/input/crlf.jsonl"]);
    assert_eq!(code, 0);
    assert_eq!(codes(&diagnostics), ["VFT005"]);
    assert_eq!(summary["warnings"], 0);
    assert_eq!(summary["infos"], 1);
}

#[test]
fn a_small_file_in_no_training_format_gets_one_error() {
    // Three `question`/`answer` lines: the format is wrong, and that is all the platform
    // says (it does not count the examples of a file it cannot read).
    let (code, diagnostics, _) =
        check_json(&["fixtures/rules/VFT410-wrong-file-format/fail.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&diagnostics), ["VFT410"]);
    // Three chat examples still get too-few-examples.
    let (code, diagnostics, _) = check_json(&["fixtures/rules/VFT401-too-few-examples/fail.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&diagnostics), ["VFT401"]);
}

#[test]
fn stats_on_a_file_in_no_training_format_counts_nothing_and_prices_nothing() {
    let output = Command::cargo_bin("vft")
        .unwrap()
        .args([
            "stats",
            "fixtures/rules/VFT410-wrong-file-format/fail.jsonl",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains("3 lines could not be counted (not a training example)"),
        "{table}"
    );
    assert!(table.contains("nothing to count"), "{table}");
    for priced in ["epochs", "estimated cost", "billed"] {
        assert!(!table.contains(priced), "{priced:?} in:\n{table}");
    }
}

#[test]
fn a_missing_file_among_several_still_checks_the_others() {
    let (code, _, summary) = check_json(&[
        "fixtures/valid/docs-examples.jsonl",
        "missing.jsonl",
        "fixtures/input/bom.jsonl",
    ]);
    assert_eq!(code, 2);
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["examples"], 20);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let input = fs::read("fixtures/rules/VFT106-unknown-role/fail.jsonl").unwrap();
    let output = vft()
        .args(["check", "--format", "json", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let records: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let role = records
        .iter()
        .find(|r| r["code"] == "VFT106")
        .expect("unknown-role reported");
    assert_eq!(role["location"]["file"], "<stdin>");
}

#[test]
fn several_files_report_in_the_order_given() {
    let (_, diagnostics, summary) = check_json(&[
        "fixtures/rules/VFT106-unknown-role/fail.jsonl",
        "fixtures/rules/VFT102-empty-messages/fail.jsonl",
    ]);
    let files: Vec<_> = diagnostics
        .iter()
        .map(|d| d["location"]["file"].as_str().unwrap())
        .collect();
    let first_second = files.iter().position(|f| f.contains("VFT102")).unwrap();
    assert!(files[..first_second].iter().all(|f| f.contains("VFT106")));
    assert_eq!(summary["files"], 2);
}

#[test]
fn json_output_follows_the_documented_contract() {
    let (_, diagnostics, summary) =
        check_json(&["fixtures/rules/VFT202-invalid-image-detail/fail.jsonl"]);
    let d = diagnostics.iter().find(|d| d["code"] == "VFT202").unwrap();
    assert_eq!(d["type"], "diagnostic");
    assert_eq!(d["name"], "invalid-image-detail");
    assert_eq!(d["severity"], "error");
    assert!(d["message"].as_str().unwrap().contains("`medium`"));
    assert!(d["help"].is_string());
    assert_eq!(d["location"]["line"], 1);
    assert!(d["location"]["column"].as_u64().unwrap() > 1);
    assert_eq!(
        d["location"]["pointer"],
        "/messages/1/content/0/image_url/detail"
    );
    for key in [
        "examples",
        "examples_with_images",
        "images",
        "errors",
        "warnings",
        "schema_version",
    ] {
        assert!(summary[key].is_u64(), "summary lacks {key}");
    }
    // File-level findings have no line.
    let file_level = diagnostics.iter().find(|d| d["code"] == "VFT401").unwrap();
    assert!(
        file_level["location"]["line"].is_null() && file_level["location"]["pointer"].is_null()
    );
}

#[test]
fn bom_is_accepted_and_reported_per_target() {
    let (code, diagnostics, _) = check_json(&["fixtures/input/bom.jsonl"]);
    assert_eq!((code, codes(&diagnostics)), (0, vec!["VFT006".to_owned()]));
    assert_eq!(diagnostics[0]["location"]["line"], 1);
    let (code, diagnostics, _) = check_json(&["--target", "azure", "fixtures/input/bom.jsonl"]);
    assert_eq!((code, diagnostics.len()), (0, 0));
    let (_, diagnostics, _) =
        check_json(&["--target", "azure", "fixtures/valid/docs-examples.jsonl"]);
    assert_eq!(codes(&diagnostics), ["VFT007"]);
}

#[test]
fn a_missing_final_newline_is_fine() {
    let (code, diagnostics, summary) = check_json(&["fixtures/input/no-final-newline.jsonl"]);
    assert_eq!((code, diagnostics.len()), (0, 0));
    assert_eq!(summary["examples"], 10);
}

#[test]
fn blank_lines_are_errors_with_their_line_numbers() {
    let (code, diagnostics, summary) = check_json(&["fixtures/input/blank-lines.jsonl"]);
    assert_eq!(code, 1);
    let lines: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [("VFT004", 6), ("VFT004", 7)]);
    assert_eq!(summary["examples"], 10);
}

#[test]
fn a_flood_of_empty_lines_is_one_finding_with_its_count() {
    let valid = fs::read_to_string("fixtures/input/blank-lines.jsonl").unwrap();
    let examples: Vec<&str> = valid.lines().filter(|l| !l.trim().is_empty()).collect();
    let input = format!(
        "{}\n{}{}\n",
        examples[..5].join("\n"),
        "\n".repeat(2_000_000),
        examples[5..].join("\n")
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    fs::write(file.path(), &input).unwrap();
    let (code, diagnostics, summary) = check_json(&[file.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "VFT004");
    assert_eq!(diagnostics[0]["location"]["line"], 6);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("2,000,000 blank lines"),
        "{}",
        diagnostics[0]["message"]
    );
    assert_eq!(summary["examples"], 10);
}

#[test]
fn invalid_utf8_is_reported_with_its_offset_and_the_rest_is_checked() {
    let (code, diagnostics, summary) = check_json(&["fixtures/input/invalid-utf8.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&diagnostics), ["VFT001"]);
    assert_eq!(diagnostics[0]["location"]["line"], 4);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("`0xEF`")
    );
    assert_eq!(summary["examples"], 11);
}

#[test]
fn a_truncated_last_line_says_the_file_may_be_cut_off() {
    let (code, diagnostics, _) = check_json(&["fixtures/input/truncated.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&diagnostics), ["VFT002"]);
    assert_eq!(diagnostics[0]["location"]["line"], 11);
    assert!(diagnostics[0]["help"].as_str().unwrap().contains("cut off"));
}

#[test]
fn a_single_100_mb_line_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jsonl");
    let mut file = fs::File::create(&path).unwrap();
    let payload = "A".repeat(100 * 1024 * 1024);
    write!(
        file,
        r#"{{"messages": [{{"role": "user", "content": [{{"type": "image_url", "image_url": {{"url": "data:image/png;base64,{payload}", "detail": "huge"}}}}]}}, {{"role": "assistant", "content": "ok"}}]}}"#
    )
    .unwrap();
    drop(file);
    let (code, diagnostics, _) = check_json(&[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    // In column order: the URL (too large; zero bytes are no image format), then the
    // detail after the payload; the file's info (grouped per file) after its lines.
    assert_eq!(
        codes(&diagnostics),
        ["VFT206", "VFT211", "VFT202", "VFT308", "VFT401"]
    );
    assert!(diagnostics[2]["location"]["column"].as_u64().unwrap() > 100 * 1024 * 1024);
    // The human output shows a window of the line, never the payload.
    let output = vft()
        .args(["check", "--color", "never", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        output.stdout.len() < 20_000,
        "human output is {} bytes",
        output.stdout.len()
    );
}

#[test]
fn human_output_snapshot() {
    let output = vft()
        .args([
            "check",
            "--color",
            "never",
            "fixtures/rules/VFT105-missing-field/fail.jsonl",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn human_output_elides_long_lines_and_keeps_the_true_column() {
    let output = vft()
        .args([
            "check",
            "--color",
            "never",
            "fixtures/rules/VFT202-invalid-image-detail/fail.jsonl",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("…"));
    assert!(text.lines().all(|l| l.chars().count() < 200), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn json_output_snapshot() {
    let output = vft()
        .args([
            "check",
            "--format",
            "json",
            "fixtures/rules/VFT103-unknown-field/fail.jsonl",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn color_always_colours_and_never_does_not() {
    let path = "fixtures/rules/VFT102-empty-messages/fail.jsonl";
    let colored = vft()
        .args(["check", "--color", "always", path])
        .output()
        .unwrap();
    assert!(colored.stdout.contains(&0x1b));
    let plain = vft()
        .args(["check", "--color", "never", path])
        .output()
        .unwrap();
    assert!(!plain.stdout.contains(&0x1b));
}

#[test]
fn rules_lists_every_rule_and_rule_prints_its_docs() {
    let output = vft().arg("rules").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), vft::rules::REGISTRY.len());
    assert!(text.contains("VFT202  invalid-image-detail"));
    let output = vft().args(["rules", "--format", "json"]).output().unwrap();
    let first: Value = serde_json::from_str(
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["code"], "VFT001");

    for query in ["VFT202", "vft202", "invalid-image-detail"] {
        let output = vft().args(["rule", query]).output().unwrap();
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.starts_with("# VFT202 invalid-image-detail"));
        assert!(text.contains("## How to fix"));
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Reading a few bytes then closing stdout must not panic or print an error.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vft"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--color",
            "never",
            "fixtures/rules/VFT402-too-many-image-examples/fail.jsonl",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_ne!(output.status.code(), Some(101));
}

#[test]
fn a_closed_pipe_ends_quietly_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.jsonl");
    let line = r#"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok", "weight": 2}]}"#;
    fs::write(&path, format!("{line}\n").repeat(5_000)).unwrap();
    for format in ["human", "concise", "json", "github", "sarif"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vft"))
            .current_dir(dir.path())
            .args([
                "check",
                "--isolated",
                "--max-per-rule",
                "0",
                "--format",
                format,
            ])
            .arg(&path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.is_empty(), "{format}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{format}");
    }
}

/// Runs `vft stats --format json ARGS`: the example records and the totals record.
fn stats_json(args: &[&str]) -> (Vec<Value>, Value) {
    let output = vft()
        .args(["stats", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let mut records: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let totals = records.pop().expect("a totals line");
    assert_eq!(totals["type"], "totals");
    (records, totals)
}

#[test]
fn stats_json_has_one_record_per_example_and_totals_that_add_up() {
    let (examples, totals) = stats_json(&["fixtures/valid/docs-examples.jsonl"]);
    assert_eq!(examples.len(), 10);
    let lines: Vec<u64> = examples
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, (1..=10).collect::<Vec<_>>());
    let mut sum = 0;
    for e in &examples {
        assert_eq!(e["type"], "example");
        let t = &e["tokens"];
        let total = t["total"].as_u64().unwrap();
        assert_eq!(
            total,
            t["text"].as_u64().unwrap() + t["image"].as_u64().unwrap()
        );
        sum += total;
    }
    assert_eq!(totals["total"].as_u64().unwrap(), sum);
    assert_eq!(totals["examples"], 10);
    // The cookbook's default for 10 examples is 10 epochs.
    assert_eq!(totals["epochs"], 10);
    assert_eq!(totals["billed"].as_u64().unwrap(), sum * 10);
    assert_eq!(totals["model"], "gpt-4o-2024-08-06");
}

#[test]
fn stats_overrides_epochs_price_and_model() {
    let (_, totals) = stats_json(&[
        "--epochs",
        "2",
        "--price-per-million",
        "10",
        "--model",
        "gpt-4.1-nano",
        "fixtures/rules/VFT311-assistant-beyond-token-limit/fail.jsonl",
    ]);
    assert_eq!(totals["epochs"], 2);
    assert_eq!(totals["default_epochs"], false);
    assert_eq!(totals["model"], "gpt-4.1-nano-2025-04-14");
    assert_eq!(totals["example_token_limit"], 32_768);
    // Both examples are over 32,768 tokens, so each is billed at the limit.
    assert_eq!(totals["billed_per_epoch"], 2 * 32_768);
    let cost = totals["cost"].as_f64().unwrap();
    assert!((cost - 4.0 * 32_768.0 * 10.0 / 1e6).abs() < 1e-9, "{cost}");
    vft()
        .args(["stats", "--price-per-million", "-1", "x.jsonl"])
        .assert()
        .code(2);
}

#[test]
fn stats_human_snapshot() {
    let output = vft()
        .args(["stats", "fixtures/valid/docs-examples.jsonl"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

/// Image URLs not fetched (`--offline`): tokens and cost are a range, each image from a
/// 1×1 picture to the largest the resize rules let through (gpt-4o: 255 to 85 + 8 × 170 =
/// 1,445 tokens for `auto` and `high`; `low` is 85 whatever the size).
#[test]
fn unfetched_image_urls_make_tokens_and_cost_a_range() {
    use vft::numbers::thousands;
    let file = "fixtures/tokens/url-images.jsonl";
    let (_, _, summary) = check_json(&["--offline", "--isolated", file]);
    let tokens = &summary["tokens"];
    let figure = |key: &str| tokens[key].as_u64().unwrap();
    assert_eq!(tokens["images_unknown"], 2);
    assert_eq!(tokens["images_unfetched"], 2);
    assert_eq!(figure("image"), 255 + 255 + 85);
    assert_eq!(figure("image_high"), 1445 + 1445 + 85);
    assert_eq!(figure("total_high") - figure("total"), 2 * (1445 - 255));
    assert_eq!(
        figure("billed_high") - figure("billed"),
        2 * (1445 - 255) * figure("epochs")
    );
    assert!(tokens["cost_high"].as_f64().unwrap() > tokens["cost"].as_f64().unwrap());
    let forecast = &summary["forecast"]["tokens"];
    assert_eq!(forecast["total_high"], tokens["total_high"]);
    assert_eq!(forecast["trained_high"], tokens["total_high"]);

    let human = vft()
        .args(["check", "--offline", "--isolated", "--color", "never", file])
        .output()
        .unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    let headline = human.lines().find(|l| l.starts_with("Tokens:")).unwrap();
    let range = format!(
        "{}–{}",
        thousands(figure("total")),
        thousands(figure("total_high"))
    );
    assert!(
        headline.starts_with(&format!("Tokens: {range} ")),
        "{headline}"
    );
    let dollars = |key: &str| tokens[key].as_f64().unwrap();
    assert!(
        headline.contains(&format!(
            "; estimated cost ${:.2}–${:.2} at",
            dollars("cost"),
            dollars("cost_high")
        )),
        "{headline}"
    );
    assert!(
        headline.ends_with(
            "2 image URLs of unknown size, each counted from the smallest to the largest image"
        ),
        "{headline}"
    );

    let stats = vft().args(["stats", "--offline", file]).output().unwrap();
    let stats = String::from_utf8(stats.stdout).unwrap();
    assert!(
        stats.contains(
            "2 unfetched image URLs, each counted from the smallest to the largest image"
        ),
        "{stats}"
    );
    assert!(
        stats.contains(&format!("total tokens            {range}  ")),
        "{stats}"
    );
}

/// A file whose images are all data URIs has one figure each: every size is known.
#[test]
fn data_uri_images_give_one_figure() {
    let file = "fixtures/valid/docs-examples.jsonl";
    let (_, _, summary) = check_json(&["--isolated", file]);
    let tokens = &summary["tokens"];
    assert_eq!(tokens["images_unfetched"], 0);
    for (low, high) in [
        ("total", "total_high"),
        ("image", "image_high"),
        ("max", "max_high"),
        ("billed", "billed_high"),
        ("cost", "cost_high"),
    ] {
        assert_eq!(tokens[low], tokens[high], "{low}");
    }
    let human = vft()
        .args(["check", "--isolated", "--color", "never", file])
        .output()
        .unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    let headline = human.lines().find(|l| l.starts_with("Tokens:")).unwrap();
    assert!(!headline.contains('–'), "{headline}");
}

#[test]
fn check_reports_the_model_limit_of_model() {
    // A 60,000-token system prompt before the reply: within gpt-4o's 65,536, but past
    // gpt-4.1-nano's 32,768, where every trained token is cut.
    let path = "fixtures/rules/VFT311-assistant-beyond-token-limit/pass.jsonl";
    let (_, diagnostics, summary) = check_json(&[path]);
    assert!(!codes(&diagnostics).contains(&"VFT311".to_owned()));
    assert_eq!(summary["tokens"]["example_token_limit"], 65_536);
    let (_, diagnostics, summary) = check_json(&["--model", "gpt-4.1-nano", path]);
    assert!(codes(&diagnostics).contains(&"VFT311".to_owned()));
    assert_eq!(summary["tokens"]["example_token_limit"], 32_768);
}

/// A file of `n` valid examples without a system message: `missing-system-message` (info)
/// on every line.
fn no_system_messages(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}"#;
    fs::write(dir.path().join("many.jsonl"), format!("{line}\n").repeat(n)).unwrap();
    dir
}

#[test]
fn info_on_every_line_is_one_diagnostic_per_file_with_its_count() {
    let dir = no_system_messages(1016);
    let file = dir.path().join("many.jsonl");
    let file = file.to_str().unwrap();
    let (code, diagnostics, summary) = check_json(&["--isolated", file]);
    assert_eq!(code, 0);
    assert_eq!(codes(&diagnostics), ["VFT308"]);
    let grouped = &diagnostics[0];
    assert_eq!(grouped["location"]["line"], 1);
    assert_eq!(grouped["occurrences"], 1016);
    assert_eq!(
        grouped["occurrence_lines"],
        serde_json::json!([1, 2, 3, 4, 5])
    );
    assert_eq!(
        grouped["message"],
        "example has no `system` message (on 1,016 lines: 1, 2, 3, 4, 5, …)"
    );
    // Every occurrence is counted.
    assert_eq!(summary["infos"], 1016);
    assert_eq!(summary["rules"]["VFT308"]["count"], 1016);
    let statistics = vft()
        .args([
            "check",
            "--isolated",
            "--statistics",
            "--format",
            "json",
            file,
        ])
        .output()
        .unwrap();
    let rows: Value = serde_json::from_slice(&statistics.stdout).unwrap();
    assert_eq!(rows[0]["count"], 1016);
    // Human output: one report, and the summary's count with its separator.
    let human = vft()
        .args(["check", "--isolated", "--color", "never", file])
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert_eq!(
        text.matches("VFT308(missing-system-message)").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("(on 1,016 lines: 1, 2, 3, 4, 5, …)"),
        "{text}"
    );
    assert!(text.contains("`--info-per-line` shows each"), "{text}");
    assert!(text.contains("1,016 info"), "{text}");
}

#[test]
fn info_per_line_is_a_flag_and_a_config_key_with_its_origin() {
    let dir = no_system_messages(12);
    let file = dir.path().join("many.jsonl");
    let file = file.to_str().unwrap();
    let (_, diagnostics, summary) = check_json(&["--isolated", "--info-per-line", file]);
    assert_eq!(diagnostics.len(), 12);
    assert!(diagnostics.iter().all(|d| d.get("occurrences").is_none()));
    assert_eq!(summary["infos"], 12);

    fs::write(dir.path().join("vft.toml"), "info-per-line = true\n").unwrap();
    let (_, diagnostics, _) = check_json(&[file]);
    assert_eq!(diagnostics.len(), 12);
    let config = vft().args(["config", file]).output().unwrap();
    let text = String::from_utf8(config.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("info-per-line"))
        .unwrap();
    assert!(
        line.starts_with("info-per-line = true") && line.contains("vft.toml"),
        "{line}"
    );
    let config = vft()
        .args(["config", "--isolated", "--info-per-line", file])
        .output()
        .unwrap();
    let text = String::from_utf8(config.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("info-per-line = true") && l.ends_with("# command line")),
        "{text}"
    );
    let config = vft().args(["config", "--isolated", file]).output().unwrap();
    let text = String::from_utf8(config.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("info-per-line = false") && l.ends_with("# default")),
        "{text}"
    );
}

#[test]
fn images_for_a_model_without_vision_are_one_error_per_file() {
    let file = "fixtures/rules/VFT230-image-needs-vision-model/fail.gpt-4o-mini-2024-07-18.jsonl";
    let (code, diagnostics, _) = check_json(&["--isolated", "--model", "gpt-4o-mini", file]);
    assert_eq!(code, 1);
    let vision: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["code"] == "VFT230")
        .collect();
    assert_eq!(vision.len(), 1);
    let message = vision[0]["message"].as_str().unwrap();
    assert!(
        message.contains("gpt-4o-mini-2024-07-18") && message.contains("gpt-4o-2024-08-06"),
        "{message}"
    );
    // The default model takes images; so does gpt-4.1 on Azure.
    let (_, diagnostics, _) = check_json(&["--isolated", file]);
    assert!(!codes(&diagnostics).contains(&"VFT230".to_owned()));
    let (_, diagnostics, _) = check_json(&[
        "--isolated",
        "--target",
        "azure",
        "--model",
        "gpt-4.1",
        file,
    ]);
    assert!(!codes(&diagnostics).contains(&"VFT230".to_owned()));
}
