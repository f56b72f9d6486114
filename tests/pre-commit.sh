#!/usr/bin/env bash
# Tests the `vft-check` hook of .pre-commit-hooks.yaml with the real pre-commit (from
# PyPI): `pre-commit try-repo` builds this repository with `cargo install` (as users get
# it) and runs the hook on a bad file (must fail) and a good one (must pass).
#
# The build is a release build; to keep CI short it is built for build time, not speed
# (.ci/release-env.sh), in target/pre-commit so later runs are incremental. pre-commit's
# own cache is a temporary directory (PRE_COMMIT_HOME), so every run installs the hook
# afresh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

if ! command -v pre-commit >/dev/null; then
    echo "pre-commit.sh: installing pre-commit from PyPI" >&2
    python3 -m pip install --quiet pre-commit || {
        echo "pre-commit.sh: FAILED to install pre-commit with pip" >&2
        exit 1
    }
fi
pre-commit --version

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
# shellcheck source=../.ci/release-env.sh
source "$repo/.ci/release-env.sh"

project="$work/project"
mkdir -p "$project"
cp "$repo/fixtures/rules/VFT202-invalid-image-detail/fail.jsonl" "$project/bad.jsonl"
cp "$repo/fixtures/valid/docs-examples.jsonl" "$project/good.jsonl"
cd "$project"
git init --quiet
git add bad.jsonl good.jsonl

# The first run builds the hook; its output is kept for the failure message.
if pre-commit try-repo "$repo" vft-check --files bad.jsonl >"$work/bad.log" 2>&1; then
    cat "$work/bad.log"
    echo "pre-commit.sh: FAILED: the hook passed on a bad file" >&2
    exit 1
fi
if ! grep -q "VFT202" "$work/bad.log"; then
    cat "$work/bad.log"
    echo "pre-commit.sh: FAILED: the hook did not report VFT202 on the bad file" >&2
    exit 1
fi
if ! pre-commit try-repo "$repo" vft-check --files good.jsonl >"$work/good.log" 2>&1; then
    cat "$work/good.log"
    echo "pre-commit.sh: FAILED: the hook failed on a good file" >&2
    exit 1
fi
echo "pre-commit.sh: ok (the hook fails on bad.jsonl and passes on good.jsonl)"
