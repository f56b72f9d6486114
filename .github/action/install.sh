#!/usr/bin/env bash
# The action's install step: a virtual environment in $RUNNER_TEMP with the vft wheel,
# put on $GITHUB_PATH. The version is the action's own (Cargo.toml beside action.yml)
# unless INPUT_VERSION or INPUT_PACKAGE (a requirement or a wheel's path) says otherwise.
set -euo pipefail
action="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/vft-venv"

if [[ -n "${INPUT_PACKAGE:-}" ]]; then
    # shellcheck disable=SC2206 # shell words: a glob such as dist/*.whl expands
    requirement=(${INPUT_PACKAGE})
else
    version="${INPUT_VERSION:-}"
    if [[ -z "$version" ]]; then
        version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action/Cargo.toml" | head -n 1)"
    fi
    requirement=("vft==${version#v}")
fi

python3 -m venv "$venv"
if [[ -x "$venv/bin/python" ]]; then bin="$venv/bin"; else bin="$venv/Scripts"; fi
"$bin/python" -m pip install --quiet --disable-pip-version-check "${requirement[@]}"
"$bin/vft" --version
echo "$bin" >> "${GITHUB_PATH:-/dev/null}"
