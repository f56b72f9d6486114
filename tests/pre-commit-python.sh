#!/usr/bin/env bash
# Tests the Python hook (pre-commit-mirror/: `language: python`, the vft wheel) with the
# real pre-commit: the mirror is copied into a temporary git repository, as the published
# mirror would be, and `pre-commit try-repo` installs it with the locally built wheel
# (`additional_dependencies` naming the file satisfies the mirror's `vft==VERSION` pin, so
# nothing is built and no Rust toolchain is used); the hook must fail on a bad file and
# pass on a good one. Usage: tests/pre-commit-python.sh WHEEL
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
wheel="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
pre_commit="${PRE_COMMIT:-pre-commit}"
"$pre_commit" --version

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"

mirror="$work/mirror"
cp -r "$repo/pre-commit-mirror" "$mirror"
git -C "$mirror" init --quiet
git -C "$mirror" add -A
git -C "$mirror" -c user.name=ci -c user.email=ci@localhost commit --quiet -m mirror

project="$work/project"
mkdir -p "$project"
cp "$repo/fixtures/rules/VFT202-invalid-image-detail/fail.jsonl" "$project/bad.jsonl"
cp "$repo/fixtures/valid/docs-examples.jsonl" "$project/good.jsonl"
cat > "$project/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $mirror
    rev: $(git -C "$mirror" rev-parse HEAD)
    hooks:
      - id: vft-check
        args: [--offline]
        additional_dependencies: ["$wheel"]
YAML
cd "$project"
git init --quiet
git add -A

start=$(date +%s)
if "$pre_commit" run vft-check --files bad.jsonl >"$work/bad.log" 2>&1; then
    cat "$work/bad.log"
    echo "pre-commit-python.sh: FAILED: the hook passed on a bad file" >&2
    exit 1
fi
echo "pre-commit-python.sh: cold install and first run: $(( $(date +%s) - start )) s"
if ! grep -q "VFT202" "$work/bad.log"; then
    cat "$work/bad.log"
    echo "pre-commit-python.sh: FAILED: the hook did not report VFT202 on the bad file" >&2
    exit 1
fi
if ! "$pre_commit" run vft-check --files good.jsonl >"$work/good.log" 2>&1; then
    cat "$work/good.log"
    echo "pre-commit-python.sh: FAILED: the hook failed on a good file" >&2
    exit 1
fi
echo "pre-commit-python.sh: ok (the Python hook fails on bad.jsonl and passes on good.jsonl)"
