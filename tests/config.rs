//! Configuration end to end: discovery, precedence, every kind of config error with its
//! location, rule selection, and the linter flags (`--fail-on`, `--exit-zero`, caps,
//! `--quiet`, `--statistics`).
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Two examples, each with an invalid `detail` (VFT202), and too few examples (VFT401).
const BAD: &str = "fixtures/rules/VFT202-invalid-image-detail/fail.jsonl";
/// Ten valid examples after a UTF-8 byte-order mark: one warning for OpenAI (VFT006).
const WARNING_ONLY: &str = "fixtures/input/bom.jsonl";
/// Ten valid examples, eight with data-URI images.
const VALID: &str = "fixtures/valid/docs-examples.jsonl";

/// A temporary project: files are written relative to its root.
struct Project {
    dir: TempDir,
}

impl Project {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) -> &Self {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    fn copy(&self, fixture: &str, relative: &str) -> &Self {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::copy(Path::new(ROOT).join(fixture), path).unwrap();
        self
    }

    fn vft(&self) -> Command {
        let mut cmd = Command::cargo_bin("vft").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .env_remove("GITHUB_WORKSPACE");
        cmd
    }

    /// `vft check --format concise ARGS`: (exit code, stdout, stderr).
    fn check(&self, args: &[&str]) -> (i32, String, String) {
        let output = self
            .vft()
            .args(["check", "--format", "concise", "--color", "never"])
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }
}

/// The rule codes of concise diagnostic lines, in order.
fn codes(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|l| l.split_once(": VFT"))
        .map(|(_, rest)| &rest[..3])
        .collect()
}

#[test]
fn vft_toml_is_found_by_walking_up_from_the_first_file() {
    let p = Project::new();
    p.copy(BAD, "data/deep/train.jsonl")
        .write("vft.toml", "ignore = [\"VFT401\"]\n");
    let (code, out, _) = p.check(&["data/deep/train.jsonl"]);
    assert_eq!((code, codes(&out)), (1, vec!["202", "202"]), "{out}");
    // From elsewhere, with an absolute path: found all the same.
    let output = Command::cargo_bin("vft")
        .unwrap()
        .current_dir(ROOT)
        .args(["check", "--format", "concise"])
        .arg(p.path("data/deep/train.jsonl"))
        .output()
        .unwrap();
    assert_eq!(
        codes(&String::from_utf8(output.stdout).unwrap()),
        ["202", "202"]
    );
}

#[test]
fn pyproject_tool_vft_is_read_and_one_without_it_is_passed_over() {
    let p = Project::new();
    p.copy(BAD, "a/b/train.jsonl")
        .write(
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.vft]\nselect = [\"invalid-image-detail\"]\n",
        )
        .write("a/pyproject.toml", "[project]\nname = \"inner\"\n");
    let (code, out, _) = p.check(&["a/b/train.jsonl"]);
    assert_eq!((code, codes(&out)), (1, vec!["202", "202"]), "{out}");

    // An error in [tool.vft] points into pyproject.toml.
    p.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.vft]\nfail-on = \"info\"\n",
    );
    let (code, _, err) = p.check(&["a/b/train.jsonl"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("pyproject.toml:5:11") && err.contains("unknown variant `info`"),
        "{err}"
    );

    // vft.toml comes before pyproject.toml in the same directory.
    p.write("vft.toml", "select = [\"VFT401\"]\n");
    let (_, out, _) = p.check(&["a/b/train.jsonl"]);
    assert_eq!(codes(&out), ["401"]);
}

#[test]
fn stdin_discovers_from_the_working_directory() {
    let p = Project::new();
    p.write("vft.toml", "select = [\"VFT401\"]\n");
    let output = p
        .vft()
        .args(["check", "--format", "concise", "-"])
        .write_stdin(fs::read(Path::new(ROOT).join(BAD)).unwrap())
        .output()
        .unwrap();
    assert_eq!(codes(&String::from_utf8(output.stdout).unwrap()), ["401"]);
}

#[test]
fn config_flag_names_a_file_and_isolated_reads_none() {
    let p = Project::new();
    p.copy(BAD, "train.jsonl")
        .write("vft.toml", "select = [\"VFT401\"]\n")
        .write("ci/strict.toml", "select = [\"VFT202\"]\n")
        .write("ci/pyproject.toml", "[tool.vft]\nignore = [\"VFT2\"]\n");
    let (_, out, _) = p.check(&["--config", "ci/strict.toml", "train.jsonl"]);
    assert_eq!(codes(&out), ["202", "202"]);
    let (_, out, _) = p.check(&["--config", "ci/pyproject.toml", "train.jsonl"]);
    assert_eq!(codes(&out), ["401"]);
    let (_, out, _) = p.check(&["--isolated", "train.jsonl"]);
    assert_eq!(codes(&out), ["202", "202", "401"]);
    let (code, _, err) = p.check(&["--config", "missing.toml", "train.jsonl"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing.toml") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn flags_override_the_file() {
    let p = Project::new();
    p.copy(BAD, "train.jsonl")
        .copy(WARNING_ONLY, "warn.jsonl")
        .write(
            "vft.toml",
            "select = [\"VFT202\"]\nfail-on = \"warning\"\ntarget = \"azure\"\n",
        );
    let (_, out, _) = p.check(&["--select", "VFT401", "train.jsonl"]);
    assert_eq!(codes(&out), ["401"]);
    // The file's fail-on makes a warning fail; the flag puts it back. (The BOM warns for
    // OpenAI only, and the file's target is Azure: the flag overrides that too.)
    let warn = ["--target", "openai", "--select", "VFT006"];
    let (code, _, _) = p.check(&[&warn[..], &["warn.jsonl"]].concat());
    assert_eq!(code, 1);
    let (code, _, _) = p.check(&[&warn[..], &["--fail-on", "error", "warn.jsonl"]].concat());
    assert_eq!(code, 0);

    // `vft config` says where each value came from.
    let output = p
        .vft()
        .args(["config", "--target", "openai", "train.jsonl"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success());
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap()
            .to_owned()
    };
    assert!(line("target").contains("\"openai\"") && line("target").contains("command line"));
    assert!(line("fail-on").contains("\"warning\"") && line("fail-on").contains("vft.toml"));
    assert!(line("max-per-rule").contains("default"));
    assert!(line("VFT202").contains("\"error\"") && line("VFT202").contains("vft.toml"));
    assert!(line("VFT401").contains("\"off\""));
}

#[test]
fn select_and_ignore_take_codes_prefixes_and_names_comma_separated_or_repeated() {
    let p = Project::new();
    p.copy(BAD, "train.jsonl");
    let (_, out, _) = p.check(&["--isolated", "--select", "VFT202,VFT401", "train.jsonl"]);
    assert_eq!(codes(&out), ["202", "202", "401"]);
    let (_, out, _) = p.check(&[
        "--isolated",
        "--select",
        "invalid-image-detail",
        "--select",
        "vft4",
        "train.jsonl",
    ]);
    assert_eq!(codes(&out), ["202", "202", "401"]);
    let (_, out, _) = p.check(&["--isolated", "--ignore", "VFT2", "train.jsonl"]);
    assert_eq!(codes(&out), ["401"]);
    // The more specific selector wins, whichever list it is in.
    let (_, out, _) = p.check(&[
        "--isolated",
        "--select",
        "VFT202",
        "--ignore",
        "VFT2",
        "train.jsonl",
    ]);
    assert_eq!(codes(&out), ["202", "202"]);
    let (code, _, err) = p.check(&["--isolated", "--select", "VFT999", "train.jsonl"]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule or rule group `VFT999`"), "{err}");
}

#[test]
fn severity_overrides_and_off() {
    let p = Project::new();
    p.copy(BAD, "train.jsonl").write(
        "vft.toml",
        "[severity]\ninvalid-image-detail = \"warning\"\nVFT4 = \"off\"\n",
    );
    let (code, out, _) = p.check(&["train.jsonl"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("VFT202 [warning]").count(), 2, "{out}");
    assert!(!out.contains("VFT401"));
    let (code, _, _) = p.check(&["--fail-on", "warning", "train.jsonl"]);
    assert_eq!(code, 1);
}

#[test]
fn limits_can_be_tightened() {
    let p = Project::new();
    p.copy(VALID, "train.jsonl").write(
        "vft.toml",
        "[limits]\nmin-examples = 20\nmax-image-bytes = 100\n",
    );
    let (code, out, _) = p.check(&["train.jsonl"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("must have at least 20 (the configured `min-examples`)"),
        "{out}"
    );
    assert!(
        out.contains("over the configured `max-image-bytes` limit (100 bytes)"),
        "{out}"
    );
}

/// Writes `config` as vft.toml, runs `vft check`, and returns stderr after asserting
/// exit status 2.
fn config_error(config: &str) -> String {
    let p = Project::new();
    p.copy(BAD, "train.jsonl").write("vft.toml", config);
    let (code, out, err) = p.check(&["train.jsonl"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    err
}

#[test]
fn config_errors_point_into_the_file() {
    let err = config_error("target = \"azure\"\nselec = [\"VFT2\"]\n");
    assert!(
        err.contains("vft.toml:2:1") && err.contains("unknown field `selec`"),
        "{err}"
    );

    let err = config_error("[limits]\nmax-image-size = 5\n");
    assert!(
        err.contains("vft.toml:2:1") && err.contains("unknown field `max-image-size`"),
        "{err}"
    );

    let err = config_error("max-per-rule = \"ten\"\n");
    assert!(
        err.contains("vft.toml:1:16") && err.contains("invalid type"),
        "{err}"
    );

    let err = config_error("target = \"gcp\"\n");
    assert!(
        err.contains("vft.toml:1:10") && err.contains("unknown variant `gcp`"),
        "{err}"
    );

    let err = config_error("[severity]\nVFT202 = \"fatal\"\n");
    assert!(
        err.contains("vft.toml:2:10") && err.contains("unknown variant `fatal`"),
        "{err}"
    );

    let err = config_error("[severity]\nVFT299 = \"off\"\n");
    assert!(
        err.contains("vft.toml:2:1") && err.contains("no rule or rule group `VFT299`"),
        "{err}"
    );

    let err = config_error("select = [\"VFT202\", \"invalid-detail\"]\n");
    assert!(
        err.contains("vft.toml:1:21") && err.contains("no rule or rule group `invalid-detail`"),
        "{err}"
    );

    let err = config_error("[limits]\nmax-images-per-example = 11\n");
    assert!(
        err.contains("vft.toml:2:26")
            && err.contains("`max-images-per-example` = 11 is looser than openai's limit of 10"),
        "{err}"
    );
    let err = config_error("[limits]\nmin-examples = 5\n");
    assert!(
        err.contains("vft.toml:2:16") && err.contains("looser"),
        "{err}"
    );

    let err = config_error("select = [\n");
    assert!(err.contains("vft.toml:"), "{err}");
}

#[test]
fn a_limit_is_checked_against_the_target_in_effect() {
    let p = Project::new();
    p.copy(VALID, "train.jsonl")
        .write("vft.toml", "[limits]\nmax-images-per-example = 20\n");
    let (code, _, err) = p.check(&["train.jsonl"]);
    assert_eq!(code, 2, "{err}");
    let (code, out, err) = p.check(&["--target", "azure", "train.jsonl"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn exit_codes_under_fail_on_and_exit_zero() {
    let p = Project::new();
    p.copy(BAD, "bad.jsonl").copy(WARNING_ONLY, "warn.jsonl");
    let status = |args: &[&str]| p.check(args).0;
    assert_eq!(status(&["warn.jsonl"]), 0);
    assert_eq!(status(&["--fail-on", "warning", "warn.jsonl"]), 1);
    assert_eq!(
        status(&["--fail-on", "warning", "--exit-zero", "warn.jsonl"]),
        0
    );
    assert_eq!(status(&["bad.jsonl"]), 1);
    assert_eq!(status(&["--exit-zero", "bad.jsonl"]), 0);
    // A tool failure stays 2.
    assert_eq!(status(&["--exit-zero", "bad.jsonl", "missing.jsonl"]), 2);
    // Infos never fail.
    assert_eq!(
        status(&[
            "--fail-on",
            "warning",
            "--target",
            "azure",
            "--select",
            "VFT007",
            "warn.jsonl"
        ]),
        0
    );
}

#[test]
fn display_caps_keep_the_summary_counts() {
    let p = Project::new();
    p.copy(BAD, "train.jsonl");
    let (code, out, _) = p.check(&["--max-per-rule", "1", "train.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&out), ["202", "401"]);
    assert!(out.contains("Found 3 errors"), "{out}");
    assert!(out.contains("1 finding not shown"), "{out}");

    let (_, out, _) = p.check(&["--max-diagnostics", "1", "train.jsonl"]);
    assert_eq!(codes(&out), ["202"]);
    assert!(out.contains("2 findings not shown"), "{out}");

    // The file sets the cap; 0 on the command line shows all.
    p.write("vft.toml", "max-per-rule = 1\n");
    let (_, out, _) = p.check(&["train.jsonl"]);
    assert_eq!(codes(&out), ["202", "401"]);
    let (_, out, _) = p.check(&["--max-per-rule", "0", "train.jsonl"]);
    assert_eq!(codes(&out), ["202", "202", "401"]);
}

#[test]
fn the_default_per_rule_cap_is_50_for_people_and_none_for_json() {
    let p = Project::new();
    let line = fs::read_to_string(Path::new(ROOT).join(BAD)).unwrap();
    let first = line.lines().next().unwrap();
    p.write("many.jsonl", &format!("{first}\n").repeat(60));
    let (_, out, _) = p.check(&["many.jsonl"]);
    assert_eq!(out.matches("VFT202 [error]").count(), 50);
    assert!(out.contains("10 findings not shown"), "{out}");
    let output = p
        .vft()
        .args(["check", "--format", "json", "many.jsonl"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.matches("\"code\":\"VFT202\"").count(), 60);
}

#[test]
fn quiet_prints_only_the_summary_and_nothing_on_success() {
    let p = Project::new();
    p.copy(BAD, "bad.jsonl").copy(VALID, "good.jsonl");
    let (code, out, _) = p.check(&["--quiet", "good.jsonl"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = p.check(&["-q", "bad.jsonl"]);
    assert_eq!(code, 1);
    assert!(
        codes(&out).is_empty() && out.starts_with("Checked 1 file"),
        "{out}"
    );
    assert!(out.contains("Found 3 errors"));
}

#[test]
fn statistics_count_findings_per_rule() {
    let p = Project::new();
    p.copy(BAD, "bad.jsonl");
    let (code, out, _) = p.check(&["--statistics", "bad.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "2  VFT202  invalid-image-detail  error\n1  VFT401  too-few-examples      error\n"
    );
    let output = p
        .vft()
        .args(["check", "--statistics", "--format", "json", "bad.jsonl"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows[0]["code"], "VFT202");
    assert_eq!(rows[0]["count"], 2);
}

#[test]
fn github_paths_are_relative_to_the_workspace() {
    let p = Project::new();
    p.copy(BAD, "data/train.jsonl");
    let output = p
        .vft()
        .env("GITHUB_WORKSPACE", p.dir.path())
        .args(["check", "--isolated", "--format", "github"])
        .arg(p.path("data/train.jsonl"))
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("::error file=data/train.jsonl,line=1,col=298,title=VFT202"),
        "{text}"
    );
}

#[test]
fn a_tightened_limit_takes_over_from_the_rules_that_warn_below_the_platform_limit() {
    let p = Project::new();
    p.copy(
        "fixtures/rules/VFT209-image-count-disputed/fail.azure.jsonl",
        "eleven.jsonl",
    );
    let (_, out, _) = p.check(&["--target", "azure", "--select", "VFT2", "eleven.jsonl"]);
    assert_eq!(codes(&out), ["209"], "{out}");
    p.write("vft.toml", "[limits]\nmax-images-per-example = 10\n");
    let (code, out, _) = p.check(&["--target", "azure", "--select", "VFT2", "eleven.jsonl"]);
    assert_eq!((code, codes(&out)), (1, vec!["208"]), "{out}");
    assert!(
        out.contains("the configured `max-images-per-example` allows at most 10"),
        "{out}"
    );
}
