//! Every output format over one shared set of diagnostics (a snapshot each), the SARIF log
//! against the official schema, and GitHub's escaping.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use vft::diagnostic::{Diagnostic, Location, Severity, Snippet};
use vft::input::JsonPointer;
use vft::render::cap::{Capped, Caps};
use vft::render::{self, OutputFormat, Sink};
use vft::summary::Summary;

const LINE_3: &str = r#"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "medium"}}]}]}"#;
const LINE_8: &str = r#"{"messages": [{"role": "user", "content": "hi"}"#;

fn diagnostic(
    code: &str,
    severity: Severity,
    message: &str,
    help: Option<&str>,
    file: &str,
    at: Option<(u64, &str, &str)>,
    pointer: Option<&str>,
) -> Diagnostic {
    let (line, column, snippet) = match at {
        Some((line, text, needle)) => {
            let start = text.find(needle).unwrap();
            let column = text[..start].chars().count() as u64 + 1;
            let snippet = Snippet::around(text, start..start + needle.len());
            (Some(line), Some(column), Some(snippet))
        }
        None => (None, None, None),
    };
    let pointer = pointer.map(|p| {
        p.split('/')
            .skip(1)
            .fold(JsonPointer::root(), |acc, token| match token.parse() {
                Ok(index) => acc.index(index),
                Err(_) => acc.key(token),
            })
    });
    Diagnostic {
        rule: &vft::rules::find(code).unwrap().meta,
        severity,
        message: message.to_owned(),
        help: help.map(str::to_owned),
        location: Location {
            file: Arc::from(file),
            line,
            column,
            pointer,
        },
        snippet,
        image_url: None,
        fix: None,
        occurrences: None,
    }
}

/// The shared set: an error with a pointer and help, a warning, an info, a parse error
/// without a pointer, and a finding about the whole file.
fn diagnostics() -> Vec<Diagnostic> {
    let file = "data/train.jsonl";
    vec![
        diagnostic(
            "VFT308",
            Severity::Info,
            "example has no system message",
            None,
            file,
            Some((3, LINE_3, "[{\"role\"")),
            Some("/messages"),
        ),
        diagnostic(
            "VFT302",
            Severity::Warning,
            "example ends with a `user` message, not an assistant message",
            None,
            file,
            Some((3, LINE_3, "{\"role\": \"user\"")),
            Some("/messages/0"),
        ),
        diagnostic(
            "VFT202",
            Severity::Error,
            "image detail `medium` is not `low`, `high` or `auto`",
            Some("use `low` (85 tokens), `high` or `auto`, or leave `detail` out"),
            file,
            Some((3, LINE_3, "\"medium\"")),
            Some("/messages/0/content/0/image_url/detail"),
        ),
        diagnostic(
            "VFT002",
            Severity::Error,
            "line is not valid JSON: EOF while parsing a list",
            Some("the line ends early: the file may be cut off"),
            file,
            Some((8, LINE_8, "}")),
            None,
        ),
        diagnostic(
            "VFT401",
            Severity::Error,
            "file has 8 example(s), but must have at least 10",
            Some("add examples"),
            file,
            None,
            None,
        ),
    ]
}

fn summary(diagnostics: &[Diagnostic]) -> Summary {
    let mut summary = Summary {
        files: 1,
        examples: 8,
        examples_with_images: 1,
        images: 1,
        ..Summary::default()
    };
    // The forecast of the same file: its one image trains.
    summary.forecast.add_file(
        vft::forecast::FileTotals {
            examples: 8,
            examples_with_images: 1,
            images: 1,
            unverified: 0,
        },
        &vft::forecast::FileSkips::default(),
    );
    for d in diagnostics {
        summary.count(d);
    }
    summary
}

/// Renders `diagnostics` in `format` with paths relative to `/work/repo`.
fn render_with(format: OutputFormat, diagnostics: &[Diagnostic], caps: Option<Caps>) -> String {
    let mut out = Vec::new();
    {
        let sink = Sink {
            out: Box::new(&mut out),
            color: false,
            base: Some(PathBuf::from("/work/repo")),
            rules: vft::rules::REGISTRY.iter().map(|r| &r.meta).collect(),
        };
        let mut emitter = render::emitter(format, sink);
        if let Some(caps) = caps {
            emitter = Box::new(Capped::new(emitter, caps));
        }
        for d in diagnostics {
            emitter.emit(d).unwrap();
        }
        emitter.finish(&summary(diagnostics)).unwrap();
    }
    String::from_utf8(out).unwrap()
}

fn render(format: OutputFormat) -> String {
    render_with(format, &diagnostics(), None)
}

#[test]
fn human_snapshot() {
    insta::assert_snapshot!(render(OutputFormat::Human));
}

#[test]
fn concise_snapshot() {
    insta::assert_snapshot!(render(OutputFormat::Concise));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render(OutputFormat::Json));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(render(OutputFormat::Github));
}

#[test]
fn sarif_snapshot() {
    let sarif: Value = serde_json::from_str(&render(OutputFormat::Sarif)).unwrap();
    // The driver's rule list is the registry, checked below; the snapshot keeps the results.
    insta::assert_json_snapshot!(sarif["runs"][0]["results"]);
}

/// The log is written as it goes (head, each result, then the closing): still one pretty
/// JSON document, with or without results.
#[test]
fn sarif_is_streamed_as_one_pretty_document() {
    for diagnostics in [Vec::new(), diagnostics()] {
        let text = render_with(OutputFormat::Sarif, &diagnostics, None);
        let sarif: Value = serde_json::from_str(&text).unwrap();
        let run = &sarif["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), diagnostics.len());
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("          \"ruleId\": "))
                .count(),
            diagnostics.len(),
            "{text}"
        );
        assert!(text.ends_with("\n    }\n  ]\n}\n"));
    }
}

fn sarif_schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-schema-2.1.0.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_schema();
    let sarif: Value = serde_json::from_str(&render(OutputFormat::Sarif)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject a broken log (so the check above means something).
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_lists_every_rule_and_indexes_into_the_list() {
    let sarif: Value = serde_json::from_str(&render(OutputFormat::Sarif)).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), vft::rules::REGISTRY.len());
    for (rule, entry) in vft::rules::REGISTRY.iter().zip(rules) {
        assert_eq!(entry["id"], rule.code);
        assert_eq!(entry["name"], rule.name);
        assert_eq!(entry["shortDescription"]["text"], rule.summary);
        assert!(
            entry["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## How to fix")
        );
        assert!(
            !entry["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    for result in run["results"].as_array().unwrap() {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(uri["uri"], "data/train.jsonl");
        assert_eq!(uri["uriBaseId"], "%SRCROOT%");
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["results"][0]["level"], "note");
}

fn fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    let sarif: Value =
        serde_json::from_str(&render_with(OutputFormat::Sarif, diagnostics, None)).unwrap();
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["vft/v1"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn sarif_fingerprints_survive_lines_shifting_and_tell_findings_apart() {
    let before = diagnostics();
    let mut shifted = diagnostics();
    for d in &mut shifted {
        if let Some(line) = &mut d.location.line {
            *line += 5;
        }
    }
    assert_eq!(fingerprints(&before), fingerprints(&shifted));
    let prints = fingerprints(&before);
    let mut unique = prints.clone();
    unique.dedup();
    assert_eq!(unique.len(), prints.len(), "{prints:?}");

    // The same finding on two identical lines: the same hash, told apart by occurrence.
    let twice = [before[2].clone(), before[2].clone()];
    let prints = fingerprints(&twice);
    let (hash_a, n_a) = prints[0].split_once(':').unwrap();
    let (hash_b, n_b) = prints[1].split_once(':').unwrap();
    assert_eq!((hash_a, n_a, n_b), (hash_b, "1", "2"));

    // Another value at the same place is another finding.
    let mut other = before[2].clone();
    other.snippet = Some(Snippet::around(&LINE_3.replace("medium", "huge"), 100..106));
    assert_ne!(fingerprints(&[other])[0], fingerprints(&before[2..3])[0]);
}

#[test]
fn github_escapes_messages_and_properties() {
    let d = diagnostic(
        "VFT202",
        Severity::Error,
        "100% sure: a, b\r\nnext line",
        None,
        "/work/repo/dir,1/a:b.jsonl",
        Some((2, LINE_3, "\"medium\"")),
        None,
    );
    let out = render_with(OutputFormat::Github, &[d], None);
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=dir%2C1/a%3Ab.jsonl,line=2,col=126,title=VFT202 invalid-image-detail\
         ::100%25 sure: a, b%0D%0Anext line"
    );
}

#[test]
fn github_maps_severities_to_commands() {
    let out = render(OutputFormat::Github);
    let commands: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    // Errors first, then warnings, then notices (GitHub's 10 per level are spent on
    // what fails the run first); within a level rules in code order.
    assert_eq!(commands, ["error", "error", "error", "warning", "notice"]);
}

/// `count` errors of `code` on consecutive lines, starting at `first_line`.
fn errors_of(code: &str, count: u64, first_line: u64) -> Vec<Diagnostic> {
    (0..count)
        .map(|i| {
            let mut d = diagnostics()[2].clone();
            d.rule = vft::rules::find(code).unwrap();
            d.location.line = Some(first_line + i);
            d
        })
        .collect()
}

fn annotated(out: &str) -> Vec<(String, u64)> {
    out.lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| {
            let code = l.split("title=").nth(1).unwrap().split(' ').next().unwrap();
            let line = l.split(",line=").nth(1).unwrap().split(',').next().unwrap();
            (code.to_owned(), line.parse().unwrap())
        })
        .collect()
}

#[test]
fn github_spends_its_ten_annotations_on_every_rule_before_repeating_one() {
    // 30 findings of one systematic rule come first in the file, then 2 of another, 1 of a
    // third: in input order all 10 annotations GitHub shows would be VFT202's.
    let mut input = errors_of("VFT202", 30, 1);
    input.extend(errors_of("VFT205", 2, 100));
    input.extend(errors_of("VFT104", 1, 200));
    let out = render_with(OutputFormat::Github, &input, None);
    let shown = annotated(&out);
    assert_eq!(shown.len(), 10, "{out}");
    // Round 1: one of each rule in code order; round 2: the second of each that has one;
    // then the rest of VFT202, each rule's findings in input order.
    let codes: Vec<&str> = shown.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "VFT104", "VFT202", "VFT205", "VFT202", "VFT205", "VFT202", "VFT202", "VFT202",
            "VFT202", "VFT202"
        ]
    );
    let vft202_lines: Vec<u64> = shown
        .iter()
        .filter(|(c, _)| c == "VFT202")
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(vft202_lines, [1, 2, 3, 4, 5, 6, 7]);
    // The 23 VFT202 findings not annotated are counted, before the summary.
    assert!(
        out.contains("23 errors not annotated (GitHub shows 10 errors per step): VFT202 23\n"),
        "{out}"
    );
    assert!(out.contains("Found 33 errors"), "{out}");
}

#[test]
fn github_annotates_each_level_up_to_its_own_limit() {
    let mut input = Vec::new();
    for i in 0..12 {
        let mut warning = diagnostics()[1].clone();
        warning.location.line = Some(i + 1);
        input.push(warning);
    }
    input.extend(errors_of("VFT202", 3, 50));
    let out = render_with(OutputFormat::Github, &input, None);
    let levels: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let mut expected = vec!["error"; 3];
    expected.extend(["warning"; 10]);
    assert_eq!(levels, expected, "{out}");
    assert!(!out.contains("errors not annotated"), "{out}");
    assert!(
        out.contains("2 warnings not annotated (GitHub shows 10 warnings per step): VFT302 2\n"),
        "{out}"
    );
}

#[test]
fn caps_hide_findings_but_the_summary_counts_them_all() {
    let mut many = Vec::new();
    for _ in 0..7 {
        many.push(diagnostics()[2].clone());
    }
    many.push(diagnostics()[4].clone());
    let caps = Caps {
        per_rule: Some(3),
        ..Caps::default()
    };
    let out = render_with(OutputFormat::Concise, &many, Some(caps));
    assert_eq!(out.matches(": VFT202 [error]").count(), 3);
    assert_eq!(out.matches(": VFT401 [error]").count(), 1);
    assert!(
        out.contains("VFT202 invalid-image-detail        7 error"),
        "{out}"
    );
    assert!(out.contains("4 findings not shown"), "{out}");

    let caps = Caps {
        total: Some(2),
        ..Caps::default()
    };
    let out = render_with(OutputFormat::Json, &many, Some(caps));
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    let summary = &records[2];
    assert_eq!(
        (summary["errors"].as_u64(), summary["hidden"].as_u64()),
        (Some(8), Some(6))
    );

    let quiet = Caps {
        quiet: true,
        ..Caps::default()
    };
    let out = render_with(OutputFormat::Concise, &many, Some(quiet));
    assert!(out.starts_with("Checked 1 file"), "{out}");
    assert!(!out.contains("not shown"), "{out}");
    assert_eq!(render_with(OutputFormat::Concise, &[], Some(quiet)), "");
}

#[test]
fn vft_check_writes_a_valid_sarif_log_for_real_files_and_stdin() {
    let files = [
        "fixtures/rules/VFT202-invalid-image-detail/fail.jsonl",
        "fixtures/rules/VFT001-invalid-utf8/fail.jsonl",
        "fixtures/rules/VFT002-invalid-json/fail.jsonl",
        "fixtures/input/crlf.jsonl",
        "./fixtures/input/bom.jsonl",
        "-",
        "missing.jsonl",
    ];
    let run = |format: &str| {
        assert_cmd::Command::cargo_bin("vft")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", "--isolated", "--format", format])
            .args(files)
            .write_stdin(
                std::fs::read(
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("fixtures/rules/VFT106-unknown-role/fail.jsonl"),
                )
                .unwrap(),
            )
            .output()
            .unwrap()
    };
    let output = run("sarif");
    assert_eq!(output.status.code(), Some(2));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: Vec<String> = sarif_schema()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The same findings as the JSON output, with relative URIs.
    let json = String::from_utf8(run("json").stdout).unwrap();
    let summary: Value = serde_json::from_str(json.lines().last().unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let total = ["errors", "warnings", "infos"]
        .iter()
        .map(|k| summary[k].as_u64().unwrap())
        .sum::<u64>();
    // A grouped info result stands for `occurrenceCount` findings.
    let findings: u64 = results
        .iter()
        .map(|r| r["occurrenceCount"].as_u64().unwrap_or(1))
        .sum();
    assert_eq!(findings, total);
    let uris: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains("fixtures/input/bom.jsonl"), "{uris:?}");
    assert!(uris.contains("%3Cstdin%3E"), "{uris:?}");
    assert!(
        uris.iter()
            .all(|u| !u.starts_with('/') && !u.starts_with('.'))
    );
    // The missing file is a tool execution notification.
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert!(
        notification["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("cannot read `missing.jsonl`"),
        "{notification}"
    );
}

/// A grouped info diagnostic (one per rule and file): SARIF's `occurrenceCount` and its
/// other lines as related locations, still valid against the schema; JSON's
/// `occurrences` and `occurrence_lines`; the summary counts every occurrence.
#[test]
fn a_grouped_info_diagnostic_carries_its_count_in_every_format() {
    let mut grouped = diagnostic(
        "VFT308",
        Severity::Info,
        "example has no `system` message (on 1,016 lines: 3, 4, 5, 6, 7, …)",
        None,
        "data/train.jsonl",
        Some((3, LINE_3, "[{\"role\"")),
        Some("/messages"),
    );
    grouped.occurrences = Some(vft::diagnostic::Occurrences {
        count: 1016,
        lines: vec![3, 4, 5, 6, 7],
    });
    let diagnostics = [grouped];
    let sarif: Value =
        serde_json::from_str(&render_with(OutputFormat::Sarif, &diagnostics, None)).unwrap();
    let errors: Vec<String> = sarif_schema()
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["occurrenceCount"], 1016);
    let related: Vec<u64> = result["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(related, [4, 5, 6, 7]);

    let json = render_with(OutputFormat::Json, &diagnostics, None);
    let records: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records[0]["occurrences"], 1016);
    assert_eq!(
        records[0]["occurrence_lines"],
        serde_json::json!([3, 4, 5, 6, 7])
    );
    assert_eq!(records[1]["infos"], 1016);
    assert_eq!(records[1]["rules"]["VFT308"]["count"], 1016);
    // Hidden by a cap, it is hidden as the findings it stands for.
    let caps = Caps {
        total: Some(0),
        ..Caps::default()
    };
    let capped = render_with(OutputFormat::Json, &diagnostics, Some(caps));
    let summary: Value = serde_json::from_str(capped.lines().last().unwrap()).unwrap();
    assert_eq!(summary["hidden"], 1016);

    // An ungrouped diagnostic has neither field.
    let plain = render(OutputFormat::Json);
    let first: Value = serde_json::from_str(plain.lines().next().unwrap()).unwrap();
    assert!(first.get("occurrences").is_none() && first.get("occurrence_lines").is_none());
}
