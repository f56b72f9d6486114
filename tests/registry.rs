//! Invariants of the rule registry.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

use std::collections::HashSet;
use std::fmt::Write as _;

use vft::rules::{Category, REGISTRY};

#[test]
fn each_rule_id_is_its_place_in_the_registry() {
    for (index, rule) in REGISTRY.iter().enumerate() {
        assert_eq!(rule.id.index(), index, "{}", rule.code);
        assert!(std::ptr::eq(vft::rules::get(rule.id), rule));
    }
}

#[test]
fn codes_are_unique_well_formed_and_in_order() {
    let mut seen = HashSet::new();
    let mut previous = "";
    for rule in REGISTRY {
        assert!(seen.insert(rule.code), "duplicate code {}", rule.code);
        assert!(
            rule.code.len() == 6
                && rule.code.starts_with("VFT")
                && rule.code[3..].bytes().all(|b| b.is_ascii_digit()),
            "bad code {}",
            rule.code
        );
        assert!(
            rule.code > previous,
            "{} listed after {previous}",
            rule.code
        );
        previous = rule.code;
    }
}

#[test]
fn the_hundreds_digit_is_the_category() {
    for rule in REGISTRY {
        let expected = match rule.category {
            Category::Input => '0',
            Category::Schema => '1',
            Category::Media => '2',
            Category::Content => '3',
            Category::File => '4',
        };
        assert_eq!(
            rule.code.as_bytes()[3] as char,
            expected,
            "{} is in {:?}",
            rule.code,
            rule.category
        );
    }
}

#[test]
fn names_are_unique_kebab_case_and_name_a_problem() {
    let mut seen = HashSet::new();
    for rule in REGISTRY {
        assert!(seen.insert(rule.name), "duplicate name {}", rule.name);
        let kebab = rule.name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        assert!(kebab, "{} is not kebab-case", rule.name);
        for banned in ["no-", "avoid-", "use-", "prefer-", "check-"] {
            assert!(
                !rule.name.starts_with(banned),
                "{} should name the problem, not the advice",
                rule.name
            );
        }
    }
}

#[test]
fn every_rule_is_documented_with_the_fixed_sections() {
    for rule in REGISTRY {
        let docs = rule.documentation();
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
            "## Source",
        ] {
            assert!(
                docs.contains(section),
                "{} docs lack `{section}`",
                rule.code
            );
        }
        assert!(
            !rule.summary.is_empty() && !rule.summary.ends_with('.'),
            "{} summary",
            rule.code
        );
        assert!(
            !docs
                .lines()
                .any(|l| l.starts_with(' ') && !l.starts_with("  ")),
            "{}: stray indentation",
            rule.code
        );
    }
}

#[test]
fn rule_list_snapshot() {
    let mut list = String::new();
    for r in REGISTRY {
        writeln!(
            list,
            "{} {} {} {}",
            r.code,
            r.name,
            r.category.as_str(),
            r.default_severity
        )
        .unwrap();
    }
    insta::assert_snapshot!(list);
}

/// A rule with a fix says so in its docs, with the fix's applicability; one without has no
/// `## Fix` section.
#[test]
fn fixable_rules_document_their_fix() {
    for rule in REGISTRY {
        let docs = rule.documentation();
        match rule.fix {
            Some(fix) => {
                let section = docs
                    .split("## Fix\n")
                    .nth(1)
                    .unwrap_or_else(|| panic!("{} has a fix but no `## Fix` section", rule.code));
                let expected = match fix {
                    vft::diagnostic::Applicability::Safe => "Safe",
                    vft::diagnostic::Applicability::Unsafe => "Unsafe",
                };
                assert!(
                    section.trim_start().starts_with(expected),
                    "{}: `## Fix` must start with `{expected}`",
                    rule.code
                );
            }
            None => assert!(
                !docs.contains("## Fix\n"),
                "{} documents a fix it does not have",
                rule.code
            ),
        }
    }
}

#[test]
fn rules_are_found_by_code_and_name() {
    for rule in REGISTRY {
        assert!(std::ptr::eq(vft::rules::find(rule.code).unwrap(), rule));
        assert!(std::ptr::eq(
            vft::rules::find(&rule.code.to_lowercase()).unwrap(),
            rule
        ));
        assert!(std::ptr::eq(vft::rules::find(rule.name).unwrap(), rule));
    }
    assert!(vft::rules::find("VFT999").is_none());
}

/// The README's rule table, as the registry says it should read.
fn readme_rule_table() -> String {
    let mut table =
        String::from("| Code | Name | Default | Fix | Summary |\n|---|---|---|---|---|\n");
    for rule in REGISTRY {
        writeln!(
            table,
            "| {} | `{}` | {} | {} | {} |",
            rule.code,
            rule.name,
            rule.default_severity,
            rule.fix.map_or("", |fix| fix.as_str()),
            rule.summary
        )
        .unwrap();
    }
    table
}

#[test]
fn the_readme_rule_table_is_generated_from_the_registry() {
    const BEGIN: &str = "<!-- rules:begin";
    const END: &str = "<!-- rules:end -->";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme.find(BEGIN).expect("README has a rules:begin marker");
    let start = start + readme[start..].find('\n').unwrap() + 1;
    let end = readme.find(END).expect("README has a rules:end marker");
    let expected = readme_rule_table();
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("VFT_UPDATE_README").is_some() {
        let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    panic!(
        "the README's rule table is stale: run `VFT_UPDATE_README=1 cargo test --test registry` to regenerate it"
    );
}

#[test]
fn every_rule_snapshot_belongs_to_a_rule() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(rule) = name
            .strip_prefix("rules__")
            .and_then(|n| n.strip_suffix(".snap"))
        {
            assert!(
                REGISTRY
                    .iter()
                    .any(|r| format!("{}-{}", r.code, r.name) == rule),
                "orphaned snapshot {name}: delete it"
            );
        }
    }
}
