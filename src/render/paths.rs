//! File paths as CI tools want them.

use std::path::{Component, Path, PathBuf};

/// A diagnostic's file as CI tools want it: relative to `base` when it lies inside it
/// (`.` and `..` resolved against `base`), with forward slashes. Paths outside `base` are
/// absolute; without a base, the path is kept as given.
pub(crate) fn relative_path(file: &str, base: Option<&Path>) -> String {
    let Some(base) = base else {
        return file.replace('\\', "/");
    };
    let mut resolved = PathBuf::new();
    for component in base.join(file).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            other => resolved.push(other),
        }
    }
    let path = resolved.strip_prefix(base).unwrap_or(&resolved);
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_with_forward_slashes() {
        let base = Path::new("/work/repo");
        assert_eq!(
            relative_path("/work/repo/data/train.jsonl", Some(base)),
            "data/train.jsonl"
        );
        assert_eq!(
            relative_path("./data/train.jsonl", Some(base)),
            "data/train.jsonl"
        );
        assert_eq!(
            relative_path("/elsewhere/a.jsonl", Some(base)),
            "/elsewhere/a.jsonl"
        );
        assert_eq!(
            relative_path("data/../b/./a.jsonl", Some(base)),
            "b/a.jsonl"
        );
        assert_eq!(
            relative_path("../other/a.jsonl", Some(base)),
            "/work/other/a.jsonl"
        );
        assert_eq!(relative_path("./a,b.jsonl", None), "./a,b.jsonl");
        assert_eq!(relative_path("<stdin>", Some(base)), "<stdin>");
    }
}
