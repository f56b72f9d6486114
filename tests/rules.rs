//! Every rule against its fixtures, one test per rule (`cargo test VFT208` runs one):
//! `fail*.jsonl` must trigger it, `pass*.jsonl` must not. The rule's diagnostics on its fail
//! fixtures are snapshotted (`tests/snapshots/rules__<CODE>-<name>.snap`). A name with
//! `.azure.` is checked for Azure; with `.dpo.` (`.sft.`, `.rft.`) with that `--method`;
//! with `.faces.` with `--faces on`; with a model's name between dots
//! (`.gpt-4o-mini-2024-07-18.`) with that `--model`.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

mod common;

use std::fs;
use std::path::Path;

use clap::ValueEnum;
use libtest_mimic::{Arguments, Failed, Trial};
use vft::engine::Options;
use vft::method::MethodChoice;
use vft::rules::{REGISTRY, Rule, RulePlan};
use vft::target::Target;
use vft::tokens::Model;

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = REGISTRY
        .iter()
        .map(|rule| {
            Trial::test(format!("{}-{}", rule.code, rule.name), move || {
                rule_fixtures(rule)
            })
        })
        .collect();
    trials.extend([
        Trial::test("documented_example_shapes_raise_no_error", || {
            documented_example_shapes_raise_no_error();
            Ok(())
        }),
        Trial::test(
            "a_line_with_invalid_json_gets_exactly_one_diagnostic",
            || {
                a_line_with_invalid_json_gets_exactly_one_diagnostic();
                Ok(())
            },
        ),
        Trial::test("output_is_the_same_whatever_the_thread_count", || {
            output_is_the_same_whatever_the_thread_count();
            Ok(())
        }),
    ]);
    libtest_mimic::run(&args, trials).exit();
}

/// One rule's fixtures: each fail fixture triggers it, no pass fixture does, and its
/// findings match the snapshot.
fn rule_fixtures(rule: &'static Rule) -> Result<(), Failed> {
    let dir = common::fixtures()
        .join("rules")
        .join(format!("{}-{}", rule.code, rule.name));
    if !dir.is_dir() {
        return Err(format!("{} has no fixture directory {}", rule.code, dir.display()).into());
    }
    let mut files: Vec<_> = fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    let (mut fails, mut passes) = (0, 0);
    let mut snapshot = String::new();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl" || e == "sparse"))
    {
        let name = path.file_name().unwrap().to_string_lossy();
        let target = if name.contains(".azure.") {
            Target::Azure
        } else {
            Target::OpenAi
        };
        let sparse = path
            .extension()
            .is_some_and(|e| e == "sparse")
            .then(|| expand_sparse(path));
        let checked = sparse.as_ref().map_or(path.as_path(), |f| f.path());
        // Run the whole rule set, so the fixture also proves the rule fires alongside
        // the others; then keep this rule's findings.
        // `fail.dpo.jsonl` is checked with `--method dpo` (likewise `.sft.`, `.rft.`).
        let method = [MethodChoice::Sft, MethodChoice::Dpo, MethodChoice::Rft]
            .into_iter()
            .find(|m| name.contains(&format!(".{}.", m.name())))
            .unwrap_or_default();
        // `.faces.` screens images for faces (`--faces on`).
        let model = Model::value_variants()
            .iter()
            .copied()
            .find(|m| name.contains(&format!(".{}.", m.name())))
            .unwrap_or_else(|| target.vision_model());
        let options = Options {
            method,
            faces: name.contains(".faces."),
            model,
            ..Options::new(target)
        };
        let (all, _) = common::check_file_with(checked, &options, 2);
        let own: Vec<_> = all
            .into_iter()
            .filter(|d| d.rule.code == rule.code)
            .collect();
        if name.starts_with("fail") {
            fails += 1;
            if own.is_empty() {
                return Err(format!("{name} of {} does not trigger it", rule.code).into());
            }
            let text = common::concise(&own);
            // A sparse fixture's temporary path is replaced by the fixture's own.
            snapshot.push_str(&match &sparse {
                Some(file) => text.replace(
                    &*file.path().to_string_lossy(),
                    &format!("fixtures/rules/{}-{}/{name}", rule.code, rule.name),
                ),
                None => text,
            });
        } else if name.starts_with("pass") {
            passes += 1;
            if !own.is_empty() {
                return Err(format!(
                    "{name} of {} triggers it:\n{}",
                    rule.code,
                    common::concise(&own)
                )
                .into());
            }
        }
    }
    if fails == 0 || passes == 0 {
        return Err(format!("{} needs a fail and a pass fixture", rule.code).into());
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(format!("rules__{}-{}", rule.code, rule.name), snapshot);
    });
    Ok(())
}

/// A `.sparse` fixture holds a size: the file is its directory's `pass.jsonl` followed by
/// zero bytes up to that size, written sparse so it costs no disk.
fn expand_sparse(path: &Path) -> tempfile::NamedTempFile {
    let size: u64 = fs::read_to_string(path).unwrap().trim().parse().unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    fs::write(
        file.path(),
        fs::read(path.with_file_name("pass.jsonl")).unwrap(),
    )
    .unwrap();
    file.as_file().set_len(size).unwrap();
    file
}

fn documented_example_shapes_raise_no_error() {
    let (diagnostics, summary) = common::check_file(
        &common::fixtures().join("valid/docs-examples.jsonl"),
        Target::OpenAi,
        RulePlan::all(),
        2,
    );
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == vft::diagnostic::Severity::Error)
        .cloned()
        .collect();
    assert!(errors.is_empty(), "{}", common::concise(&errors));
    assert_eq!(summary.examples, 10);
    assert!(summary.images >= 10);
}

fn a_line_with_invalid_json_gets_exactly_one_diagnostic() {
    let path = common::fixtures().join("rules/VFT002-invalid-json/fail.jsonl");
    let (diagnostics, _) = common::check_file(&path, Target::OpenAi, RulePlan::all(), 2);
    for line in 1..=3 {
        let on_line: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.location.line == Some(line))
            .collect();
        assert_eq!(
            on_line.len(),
            1,
            "line {line}: {}",
            common::concise(&diagnostics)
        );
        assert_eq!(on_line[0].rule.code, "VFT002");
    }
}

fn output_is_the_same_whatever_the_thread_count() {
    let path = common::fixtures().join("rules/VFT103-unknown-field/fail.jsonl");
    let (one, _) = common::check_file(&path, Target::OpenAi, RulePlan::all(), 1);
    let (many, _) = common::check_file(&path, Target::OpenAi, RulePlan::all(), 4);
    assert_eq!(common::concise(&one), common::concise(&many));
}
