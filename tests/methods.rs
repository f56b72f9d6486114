//! Training methods end to end (issue 12): DPO and RFT files in the shapes of Microsoft's
//! public samples (`fixtures/methods/`, written for these tests) pass and are reported with
//! their method; an image makes each fail once; a chat file checked as DPO is one finding.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/methods")
        .join(name)
}

/// `vft check --format json --offline --isolated ARGS`: (exit code, diagnostics, summary).
/// The fixtures hold 3 or 4 examples, so `too-few-examples` (10 at least) is off.
fn check(args: &[&str]) -> (i32, Vec<Value>, Value) {
    let output = Command::cargo_bin("vft")
        .unwrap()
        .args(["check", "--format", "json", "--offline", "--isolated"])
        .args(["--ignore", "too-few-examples"])
        .args(args)
        .output()
        .unwrap();
    common::json_records(&output)
}

/// The human output of `vft check --offline --isolated --color never FILE`.
fn human(file: &Path) -> String {
    let output = Command::cargo_bin("vft")
        .unwrap()
        .args(["check", "--offline", "--isolated", "--color", "never"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn errors(diagnostics: &[Value]) -> Vec<&Value> {
    diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect()
}

#[test]
fn dpo_and_rft_files_pass_and_are_reported_with_their_method() {
    for (file, method) in [
        ("dpo.jsonl", "dpo"),
        ("rft.jsonl", "rft"),
        ("sft.jsonl", "sft"),
    ] {
        for target in ["openai", "azure"] {
            let path = fixture(file);
            let (exit, diagnostics, summary) = check(&["--target", target, path.to_str().unwrap()]);
            assert_eq!(
                errors(&diagnostics),
                Vec::<&Value>::new(),
                "{file} {target}"
            );
            assert_eq!(exit, 0, "{file} {target}");
            assert_eq!(summary["method"], method, "{file}");
            assert_eq!(summary["methods"][0]["method"], method, "{file}");
        }
    }
}

#[test]
fn several_files_report_the_method_of_each() {
    let (dpo, rft) = (fixture("dpo.jsonl"), fixture("rft.jsonl"));
    let (_, _, summary) = check(&[dpo.to_str().unwrap(), rft.to_str().unwrap()]);
    assert!(summary["method"].is_null(), "the files differ");
    let methods: Vec<&str> = summary["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["dpo", "rft"]);
}

#[test]
fn the_human_summary_names_the_method() {
    let stdout = human(&fixture("rft.jsonl"));
    assert!(
        stdout.contains("Checked 1 file (RFT): 4 examples"),
        "{stdout}"
    );
}

/// RFT is billed by training time on OpenAI: no token cost, and the summary says why.
#[test]
fn an_rft_run_shows_no_token_cost_and_says_why() {
    let (_, _, summary) = check(&[fixture("rft.jsonl").to_str().unwrap()]);
    assert!(summary.get("tokens").is_none(), "{summary}");
    let note = summary["cost_note"].as_str().unwrap();
    assert!(note.contains("billed by training time"), "{note}");
    let (_, _, summary) = check(&[fixture("sft.jsonl").to_str().unwrap()]);
    assert!(summary["tokens"]["cost"].is_number(), "{summary}");
    assert!(summary["cost_note"].is_null(), "{summary}");

    let stdout = human(&fixture("rft.jsonl"));
    assert!(
        stdout.contains("Tokens: no token cost: RFT is billed by training time"),
        "{stdout}"
    );
    assert!(!stdout.contains("estimated cost"), "{stdout}");
}

/// `vft stats` agrees with `vft check`: an RFT file's tokens are counted, but no epochs,
/// billed tokens or price are shown, and the note says why.
#[test]
fn vft_stats_on_an_rft_file_shows_no_token_price_and_says_why() {
    let stats = |args: &[&str], file: &Path| {
        let output = Command::cargo_bin("vft")
            .unwrap()
            .args(["stats", "--offline"])
            .args(args)
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let table = stats(&[], &fixture("rft.jsonl"));
    assert!(
        table.contains("  cost                    no token cost: RFT is billed by training time"),
        "{table}"
    );
    for priced in ["estimated cost", "billed tokens", "per 1M tokens", "epochs"] {
        assert!(!table.contains(priced), "{priced:?} in:\n{table}");
    }
    assert!(table.contains("total tokens"), "{table}");
    // Counted with the tokenizer, not for gpt-4o, whose per-example limit is not shown.
    assert!(table.contains("counted with o200k_base"), "{table}");
    assert!(!table.contains("over the limit"), "{table}");

    let lines = stats(&["--format", "json"], &fixture("rft.jsonl"));
    let totals: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(totals["type"], "totals");
    assert!(totals["total"].as_u64().unwrap() > 0, "{totals}");
    assert!(
        totals["cost_note"]
            .as_str()
            .unwrap()
            .contains("billed by training time"),
        "{totals}"
    );
    for key in ["cost", "price_per_million", "billed", "epochs"] {
        assert!(totals.get(key).is_none(), "{key} in {totals}");
    }

    // An SFT file keeps its price.
    let lines = stats(&["--format", "json"], &fixture("sft.jsonl"));
    let totals: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert!(totals["cost"].is_number(), "{totals}");
    assert!(totals.get("cost_note").is_none(), "{totals}");
}

/// Under `--method auto`, a `--model` that cannot train the file's method is one
/// file-level error; without `--model`, the same file is clean.
#[test]
fn a_given_model_that_cannot_train_the_files_method_is_one_error() {
    for (file, model, target) in [
        ("dpo.jsonl", "gpt-4o-mini", "openai"),
        ("dpo.jsonl", "gpt-4.1-nano", "azure"),
        ("rft.jsonl", "gpt-4.1", "openai"),
    ] {
        let path = fixture(file);
        let (exit, diagnostics, _) =
            check(&["--model", model, "--target", target, path.to_str().unwrap()]);
        let errors = errors(&diagnostics);
        assert_eq!(errors.len(), 1, "{file} {model} {target}: {errors:?}");
        assert_eq!(errors[0]["code"], "VFT411");
        assert!(errors[0]["location"]["line"].is_null(), "{:?}", errors[0]);
        assert_eq!(exit, 1);
    }
    let (exit, diagnostics, _) = check(&[
        "--model",
        "gpt-4.1-nano",
        fixture("dpo.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(errors(&diagnostics), Vec::<&Value>::new());
    assert_eq!(exit, 0);
}

#[test]
fn an_image_in_a_dpo_or_rft_file_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let image =
        serde_json::json!({"type": "image_url", "image_url": {"url": "https://example.com/a.png"}});
    for (file, messages, code) in [
        ("dpo.jsonl", "/input/messages", "VFT219"),
        ("rft.jsonl", "/messages", "VFT219"),
    ] {
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut first: Value = serde_json::from_str(&lines[1]).unwrap();
        let user = first
            .pointer_mut(messages)
            .and_then(Value::as_array_mut)
            .and_then(|m| m.iter_mut().find(|m| m["role"] == "user"))
            .unwrap();
        let said = user["content"].take();
        user["content"] = serde_json::json!([{"type": "text", "text": said}, image]);
        lines[1] = first.to_string();
        let path = dir.path().join(file);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();

        let (exit, diagnostics, _) = check(&["--target", "openai", path.to_str().unwrap()]);
        assert_eq!(exit, 1, "{file}");
        let errors = errors(&diagnostics);
        assert_eq!(errors.len(), 1, "{file}: {errors:?}");
        assert_eq!(errors[0]["code"], code);
        assert_eq!(errors[0]["location"]["line"], 2);
        assert!(
            errors[0]["location"]["pointer"]
                .as_str()
                .unwrap()
                .starts_with(messages),
            "{file}: {}",
            errors[0]["location"]["pointer"]
        );
    }
}

#[test]
fn a_chat_file_checked_as_dpo_is_one_file_level_finding() {
    let path = fixture("sft.jsonl");
    let (exit, diagnostics, summary) = check(&["--method", "dpo", path.to_str().unwrap()]);
    assert_eq!(exit, 1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let finding = &diagnostics[0];
    assert_eq!(finding["name"], "wrong-method");
    assert!(finding["location"]["line"].is_null(), "file-level");
    assert!(
        finding["message"].as_str().unwrap().contains("SFT file"),
        "{}",
        finding["message"]
    );
    // The file is still checked as what it is.
    assert_eq!(summary["method"], "sft");
}

#[test]
fn a_line_of_another_method_is_one_error_at_that_line() {
    let dir = tempfile::tempdir().unwrap();
    let dpo = std::fs::read_to_string(fixture("dpo.jsonl")).unwrap();
    let sft = std::fs::read_to_string(fixture("sft.jsonl")).unwrap();
    let mixed = dir.path().join("mixed.jsonl");
    std::fs::write(&mixed, format!("{dpo}{}", sft.lines().next().unwrap())).unwrap();
    let (exit, diagnostics, _) = check(&[mixed.to_str().unwrap()]);
    assert_eq!(exit, 1);
    let errors = errors(&diagnostics);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["name"], "method-mismatch");
    assert_eq!(errors[0]["location"]["line"], 5);
}

#[test]
fn the_method_comes_from_the_configuration_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vft.toml"), "method = \"dpo\"\n").unwrap();
    let sft = dir.path().join("train.jsonl");
    std::fs::copy(fixture("sft.jsonl"), &sft).unwrap();
    let output = Command::cargo_bin("vft")
        .unwrap()
        .args([
            "check",
            "--format",
            "json",
            "--offline",
            "--ignore",
            "too-few-examples",
        ])
        .arg(&sft)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("\"wrong-method\""), "{stdout}");
}

#[test]
fn a_model_that_does_not_take_the_method_is_an_error_before_checking() {
    let path = fixture("dpo.jsonl");
    let output = Command::cargo_bin("vft")
        .unwrap()
        .args([
            "check",
            "--offline",
            "--isolated",
            "--method",
            "dpo",
            "--target",
            "azure",
        ])
        .args(["--model", "gpt-4o-mini"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("gpt-4o-mini-2024-07-18 cannot be fine-tuned with DPO on azure"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing checked");
    // A model that takes it checks the file.
    let (exit, _, _) = check(&[
        "--method",
        "dpo",
        "--model",
        "gpt-4.1",
        path.to_str().unwrap(),
    ]);
    assert_eq!(exit, 0);
}
