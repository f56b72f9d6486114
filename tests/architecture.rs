//! The shape of the code, as ARCHITECTURE.md describes it: no two files of `src/` import
//! each other (directly or round a longer cycle), nothing imports back up into `lib.rs`,
//! and the engine, the fetcher and the renderers name no rule.
#![allow(clippy::unwrap_used)] // test helpers panic on setup failure by design

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, relative to it.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &mut out);
    out.iter()
        .map(|p| p.strip_prefix(src()).unwrap().to_owned())
        .collect()
}

/// The module path of a source file: `engine/line.rs` → `["engine", "line"]`.
fn module_of(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The file that defines the module at the longest prefix of `path` that is a module.
fn file_of(path: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (0..=path.len())
        .rev()
        .find_map(|n| files.get(&path[..n]).cloned())
}

/// The module paths a file names: `crate::a::b`, `self::a` and `super::c` anywhere in its
/// code (imports and inline paths), comments left out. In a file's `#[cfg(test)]` module,
/// `super` is the file itself.
fn referenced_paths(file: &Path, text: &str) -> Vec<Vec<String>> {
    let module = module_of(file);
    // `super` of `a/b.rs` and of `a/b/mod.rs` is `a`.
    let mut parent = module.clone();
    parent.pop();
    // Child modules (`mod x;`) may also be named bare: `x::f()`, `use x::T;`.
    let children: Vec<(String, Vec<String>)> = text
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "mod")?;
            let name = words.get(at + 1)?.strip_suffix(';')?;
            let mut child = module.clone();
            child.push(name.to_owned());
            Some((format!("{name}::"), child))
        })
        .collect();
    let mut in_tests = false;
    let mut out = Vec::new();
    for line in text.lines() {
        in_tests |= line.trim_start().starts_with("#[cfg(test)]");
        let code = line.split("//").next().unwrap_or_default();
        let sup = if in_tests { &module } else { &parent };
        let root = Vec::new();
        let prefixes = [("crate::", &root), ("self::", &module), ("super::", sup)]
            .into_iter()
            .chain(
                children
                    .iter()
                    .map(|(prefix, child)| (prefix.as_str(), child)),
            );
        for (prefix, base) in prefixes {
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                let before = rest[..at].chars().next_back();
                rest = &rest[at + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                    continue;
                }
                let mut path = base.clone();
                path.extend(segments(rest));
                // `a::{b, c::d}` names `a::b` and `a::c` (one level of braces is enough
                // to find the files).
                let group = rest
                    .split("::")
                    .position(|s| s.starts_with('{'))
                    .and_then(|_| rest.split_once('{'))
                    .map(|(_, group)| group.split('}').next().unwrap_or_default());
                match group {
                    Some(group) => out.extend(group.split(',').map(|item| {
                        let mut named = path.clone();
                        named.extend(segments(item.trim()));
                        named
                    })),
                    None => out.push(path),
                }
            }
        }
    }
    out
}

/// The leading `a::b::c` of a path, up to the first thing that is not a name.
fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(|s| {
            s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .take_while(|s| !s.is_empty())
        .collect()
}

fn import_graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let files: BTreeMap<Vec<String>, PathBuf> = sources()
        .into_iter()
        .filter(|f| f != Path::new("main.rs"))
        .map(|f| (module_of(&f), f))
        .collect();
    let mut graph = BTreeMap::new();
    // lib.rs declares every module and runs the commands: it is above everything.
    for file in files.values().filter(|f| *f != Path::new("lib.rs")) {
        let text = fs::read_to_string(src().join(file)).unwrap();
        let targets = referenced_paths(file, &text)
            .iter()
            .filter_map(|path| file_of(path, &files))
            .filter(|target| target != file)
            .collect();
        graph.insert(file.clone(), targets);
    }
    graph
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let graph = import_graph();
    // A depth-first search for a path back to the start, from every file.
    let mut cycles = Vec::new();
    for start in graph.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        if start == Path::new("lib.rs") {
            continue;
        }
        let mut seen = BTreeSet::new();
        while let Some((file, path)) = stack.pop() {
            for next in graph.get(&file).into_iter().flatten() {
                if next == start {
                    let names: Vec<String> = path.iter().map(|p| p.display().to_string()).collect();
                    cycles.push(format!("{} → {}", names.join(" → "), start.display()));
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn nothing_imports_back_up_into_lib_rs() {
    let graph = import_graph();
    let into_lib: Vec<_> = graph
        .iter()
        .filter(|(_, targets)| targets.contains(Path::new("lib.rs")))
        .map(|(file, _)| file.display().to_string())
        .collect();
    assert!(into_lib.is_empty(), "import from lib.rs: {into_lib:?}");
}

#[test]
fn the_engine_fetcher_and_renderers_name_no_rule() {
    let mut named = Vec::new();
    for file in sources() {
        let text = file.to_string_lossy().into_owned();
        if !(text.starts_with("engine") || text.starts_with("fetch") || text.starts_with("render"))
        {
            continue;
        }
        let source = fs::read_to_string(src().join(&file)).unwrap();
        for (number, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let has_code = code.match_indices("VFT").any(|(at, _)| {
                code[at + 3..].chars().take(3).all(|c| c.is_ascii_digit()) && code.len() >= at + 6
            });
            let names_a_rule_module = [
                "rules::input::",
                "rules::schema::",
                "rules::media::",
                "rules::content::",
                "rules::file::",
            ]
            .iter()
            .any(|m| code.contains(m));
            if has_code || names_a_rule_module {
                named.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        named.is_empty(),
        "rule codes or rule modules named:\n{}",
        named.join("\n")
    );
}

/// `unsafe_code` is denied crate-wide; the one module that maps files allows it. No other
/// file may say `unsafe` or `unsafe_code` (a block, a function, an attribute).
#[test]
fn unsafe_code_is_confined_to_the_mapped_file_module() {
    let allowed = Path::new("input/mapped.rs");
    for file in sources() {
        let text = fs::read_to_string(src().join(&file)).unwrap();
        // Comments and string literals (`"unsafe"`, the name of a fix's applicability) do
        // not count; a naive split on quotes is enough for this source.
        let code: String = text
            .lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .flat_map(|line| line.split('"').step_by(2).collect::<Vec<_>>())
            .collect::<Vec<_>>()
            .join(" ");
        let says_unsafe = code
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|word| word == "unsafe" || word == "unsafe_code");
        if file != allowed {
            assert!(!says_unsafe, "{} uses unsafe", file.display());
        }
    }
    let mapped = fs::read_to_string(src().join(allowed)).unwrap();
    assert!(mapped.contains("#![allow(unsafe_code)]") && mapped.contains("// SAFETY: "));
}
