#!/usr/bin/env bash
# The action's check step: annotations (`--format github`, which orders them so the
# runner's 10 per level and step go to different rules), a job summary from the JSON
# output (`python -m vft.action_summary`), an optional SARIF log, and vft's exit status.
# `vft` and the package come from the install step's environment (on PATH).
set -uo pipefail
work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/vft-action.$$"
mkdir -p "$work"

# shellcheck disable=SC2206 # inputs are shell words: split, and let globs expand
files=(${INPUT_FILES:-})
# shellcheck disable=SC2206
args=(${INPUT_ARGS:-})
if [[ ${#files[@]} -eq 0 ]]; then
    mapfile -t files < <(git ls-files -- '*.jsonl')
    if [[ ${#files[@]} -eq 0 ]]; then
        echo "vft: no *.jsonl files to check"
        echo "exit-code=0" >> "${GITHUB_OUTPUT:-/dev/null}"
        exit 0
    fi
fi

vft check --format github "${args[@]}" -- "${files[@]}"
status=$?
if [[ "${INPUT_SUMMARY:-true}" == "true" ]]; then
    # The same check again as JSON (image URLs come from vft's cache the second time).
    vft check --format json --exit-zero "${args[@]}" -- "${files[@]}" > "$work/report.jsonl"
    python -m vft.action_summary "$work/report.jsonl" || status=2
fi
if [[ -n "${INPUT_SARIF:-}" ]]; then
    vft check --format sarif --exit-zero "${args[@]}" -- "${files[@]}" > "$INPUT_SARIF" || status=2
fi
echo "exit-code=$status" >> "${GITHUB_OUTPUT:-/dev/null}"
rm -rf "$work"
exit "$status"
