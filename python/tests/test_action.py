"""The GitHub Action's steps run locally, with GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and
RUNNER_TEMP pointing at temporary files, against the installed wheel."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Tuple

import pytest

import vft

from conftest import REPO


def outputs(path: Path) -> Dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


@pytest.fixture
def github_env(tmp_path: Path) -> Dict[str, str]:
    (tmp_path / "summary.md").touch()
    (tmp_path / "output").touch()
    env = dict(os.environ)
    env.update(
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        GITHUB_OUTPUT=str(tmp_path / "output"),
        RUNNER_TEMP=str(tmp_path),
        GITHUB_WORKSPACE=str(REPO),
        # The install step's environment: this one (vft and python on PATH).
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    return env


def summarize(checked: Path, tmp_path: Path, github_env: Dict[str, str]) -> Tuple[Path, str]:
    """`vft check --format json --offline` on `checked` into a report, then the summary
    writer on it: the report and the Markdown it wrote."""
    report = tmp_path / "report.jsonl"
    with report.open("w") as out:
        subprocess.run(
            [vft.find_vft_bin(), "check", "--format", "json", "--offline", str(checked)],
            stdout=out,
            check=False,
        )
    done = subprocess.run(
        [sys.executable, "-m", "vft.action_summary", str(report)], env=github_env
    )
    assert done.returncode == 0
    return report, Path(github_env["GITHUB_STEP_SUMMARY"]).read_text()


def test_summary_writer_shows_token_ranges_for_unfetched_urls(tmp_path: Path, github_env) -> None:
    """Image URLs not fetched (`--offline`): tokens, billed tokens and cost are ranges."""
    urls = REPO / "fixtures" / "tokens" / "url-images.jsonl"
    report, markdown = summarize(urls, tmp_path, github_env)
    t = json.loads(report.read_text().splitlines()[-1])["tokens"]
    assert (
        f"| {t['total']:,}–{t['total_high']:,} | {t['billed']:,}–{t['billed_high']:,} | "
        f"{t['epochs']} | ${t['cost']:,.2f}–${t['cost_high']:,.2f} |"
    ) in markdown


def test_summary_writer_tables_per_rule(tmp_path: Path, bad: Path, github_env) -> None:
    report, markdown = summarize(bad, tmp_path, github_env)
    assert markdown.startswith("## vft: 3 error(s), 0 warning(s), 0 info\n")
    assert "| 1 | 2 | 2 | 2 |" in markdown  # files, examples, with images, images
    # Token and cost figures, from the same run.
    summary = json.loads(report.read_text().splitlines()[-1])
    tokens = summary["tokens"]
    assert (
        f"| {tokens['model']} | {tokens['total']:,} | {tokens['billed']:,} | "
        f"{tokens['epochs']} | ${tokens['cost']:,.2f} |"
    ) in markdown
    # One table per rule, with its count and first lines.
    sections = re.split(r"^### ", markdown, flags=re.M)[1:]
    assert [s.splitlines()[0] for s in sections] == [
        "VFT202 `invalid-image-detail`: 2 error",
        "VFT401 `too-few-examples`: 1 error",
    ]
    rows = [l for l in sections[0].splitlines() if l.startswith("| `")]
    assert len(rows) == 2 and ":1:298` |" in rows[0] and ":2:298` |" in rows[1]
    assert outputs(Path(github_env["GITHUB_OUTPUT"])) == {
        "errors": "3",
        "warnings": "0",
        "infos": "0",
        "findings": "3",
    }


def test_summary_cells_cannot_break_the_table(tmp_path: Path, good: Path, github_env) -> None:
    lines = good.read_text(encoding="utf-8").splitlines()
    example = json.loads(lines[0])
    example["a|b<i>"] = 1
    lines[0] = json.dumps(example)
    data = tmp_path / "pipe.jsonl"
    data.write_text("\n".join(lines) + "\n")
    report = tmp_path / "report.jsonl"
    report.write_text(
        subprocess.run(
            [vft.find_vft_bin(), "check", "--format", "json", "--offline", str(data)],
            capture_output=True,
            text=True,
        ).stdout
    )
    subprocess.run([sys.executable, "-m", "vft.action_summary", str(report)], env=github_env, check=True)
    row = [l for l in Path(github_env["GITHUB_STEP_SUMMARY"]).read_text().splitlines() if "a\\|b" in l]
    assert len(row) == 1 and "&lt;i&gt;" in row[0] and "<i>" not in row[0]
    assert row[0].count(" | ") == 1  # two cells: location, message


def run_check_step(github_env, **inputs: str) -> subprocess.CompletedProcess:
    env = dict(github_env)
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    return subprocess.run(
        ["bash", str(REPO / ".github" / "action" / "check.sh")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def test_action_check_step_fails_on_findings(tmp_path: Path, bad: Path, github_env) -> None:
    sarif = tmp_path / "vft.sarif"
    done = run_check_step(
        github_env,
        files=str(bad.relative_to(REPO)),
        args="--offline",
        sarif=str(sarif),
        summary="true",
    )
    assert done.returncode == 1, done.stderr
    annotations = [l for l in done.stdout.splitlines() if l.startswith("::error ")]
    assert len(annotations) == 3
    assert annotations[0].startswith(
        "::error file=fixtures/rules/VFT202-invalid-image-detail/fail.jsonl,line=1,col=298,"
    )
    assert "### VFT202 `invalid-image-detail`: 2 error" in Path(
        github_env["GITHUB_STEP_SUMMARY"]
    ).read_text()
    assert outputs(Path(github_env["GITHUB_OUTPUT"]))["exit-code"] == "1"
    log = json.loads(sarif.read_text())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["VFT202", "VFT202", "VFT401"]


def test_action_check_step_passes_a_good_file(good: Path, github_env) -> None:
    done = run_check_step(github_env, files=str(good), args="--offline", summary="true")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout
    assert "no problems found" in Path(github_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert outputs(Path(github_env["GITHUB_OUTPUT"]))["exit-code"] == "0"


def test_action_inputs_are_all_declared() -> None:
    action = (REPO / "action.yml").read_text()
    declared = set(re.findall(r"^  ([a-z-]+):\n    description:", action.split("outputs:")[0], re.M))
    used = set(re.findall(r"\$\{\{ inputs\.([a-z-]+) \}\}", action))
    assert used and used == declared
    for script in re.findall(r'"\$GITHUB_ACTION_PATH/([^"]+)"', action):
        assert (REPO / script).is_file(), script
