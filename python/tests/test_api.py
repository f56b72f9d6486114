from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import vft
from vft._report import parse_check_output

from conftest import REPO


def test_the_wheel_and_the_crate_have_one_version() -> None:
    cargo = (REPO / "Cargo.toml").read_text(encoding="utf-8")
    crate = re.search(r'^version = "([^"]+)"', cargo, re.M).group(1)
    assert version("vft") == crate
    out = subprocess.run([vft.find_vft_bin(), "--version"], capture_output=True, text=True)
    assert out.stdout.split() == ["vft", crate]


def test_a_clean_file_has_no_findings_and_its_cost(good: Path) -> None:
    report = vft.check(good, offline=True)
    assert report.ok and report.exit_status == 0
    assert report.diagnostics == [] and report.summary.rules == {}
    s = report.summary
    assert (s.files, s.examples, s.examples_with_images, s.images) == (1, 10, 8, 10)
    assert s.schema_version == 1
    tokens = s.tokens
    assert tokens is not None and tokens.total > 0 and tokens.cost > 0
    # The same figures as `vft stats` over the same file.
    totals = vft.stats(good, offline=True).totals
    assert (tokens.total, tokens.billed, tokens.epochs, tokens.cost) == (
        totals.total,
        totals.billed,
        totals.epochs,
        totals.cost,
    )


def test_findings_are_a_report_not_an_error(bad: Path) -> None:
    report = vft.check([bad], offline=True)
    assert report.exit_status == 1 and not report.ok
    codes = [d.code for d in report.diagnostics]
    assert codes == ["VFT202", "VFT202", "VFT401"]
    first = report.diagnostics[0]
    assert first.name == "invalid-image-detail" and first.severity == "error"
    assert "`medium`" in first.message and first.help
    assert (first.location.line, first.location.column) == (1, 298)
    assert first.location.pointer == "/messages/1/content/0/image_url/detail"
    whole_file = report.diagnostics[2].location
    assert (whole_file.line, whole_file.column, whole_file.pointer) == (None, None, None)
    assert report.summary.rules["VFT202"].count == 2
    assert report.summary.errors == 3
    assert list(report.by_rule()) == ["VFT202", "VFT401"]


def test_flags_reach_the_binary(bad: Path) -> None:
    report = vft.check(bad, offline=True, ignore="VFT401")
    assert [d.code for d in report] == ["VFT202", "VFT202"]
    report = vft.check(bad, offline=True, select=["VFT4"])
    assert [d.code for d in report] == ["VFT401"]
    report = vft.check(bad, offline=True, fail_on="warning", ignore=["VFT2", "VFT4"])
    assert report.ok and len(report) == 0


def test_a_missing_file_raises_with_status_2_and_stderr(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(vft.VftError) as caught:
        vft.check(missing)
    error = caught.value
    assert error.exit_status == 2
    assert str(missing) in error.stderr and str(missing) in str(error)
    # vft still wrote its summary: nothing was checked.
    assert error.report is not None and error.report.summary.files == 0


def test_a_flag_the_binary_lacks_raises_with_its_message(good: Path) -> None:
    with pytest.raises(vft.VftError) as caught:
        vft.check(good, extra_args=["--no-such-flag"])
    assert caught.value.exit_status == 2
    assert "--no-such-flag" in str(caught.value)


def test_stats_counts_every_example(good: Path) -> None:
    stats = vft.stats(good, offline=True)
    assert len(stats.examples) == stats.totals.examples == 10
    assert [e.line for e in stats.examples] == list(range(1, 11))
    assert sum(e.total for e in stats.examples) == stats.totals.total
    assert stats.totals.files == 1 and stats.totals.uncounted == 0


def test_stats_of_a_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(vft.VftError) as caught:
        vft.stats(tmp_path / "missing.jsonl")
    assert caught.value.exit_status == 2


def test_unknown_keys_of_a_later_contract_are_kept(bad: Path) -> None:
    """A real run's output with keys a later vft may add (a new figure, the method)."""
    out = subprocess.run(
        [vft.find_vft_bin(), "check", "--format", "json", "--offline", str(bad)],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    summary = json.loads(out[-1])
    summary["later_figure"] = {"skipped_examples": 0}
    summary["method"] = "supervised"
    later = out[:-1] + ['{"type":"something-new"}', json.dumps(summary)]
    diagnostics, parsed = parse_check_output(later)
    assert len(diagnostics) == 3
    assert parsed.extra["later_figure"] == {"skipped_examples": 0}
    assert parsed.method == "supervised"
    assert parsed.rules["VFT202"].count == 2


def test_info_on_many_lines_is_one_typed_diagnostic(tmp_path: Path) -> None:
    """`missing-system-message` on every line is one diagnostic with the count."""
    many = tmp_path / "many.jsonl"
    line = '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}'
    many.write_text((line + "\n") * 12)
    report = vft.check(many, offline=True)
    (grouped,) = [d for d in report.diagnostics if d.code == "VFT308"]
    assert grouped.occurrences == 12
    assert grouped.occurrence_lines == [1, 2, 3, 4, 5]
    assert grouped.location.line == 1
    assert report.summary.rules["VFT308"].count == 12 and report.summary.infos == 12


def test_the_forecast_is_typed(tmp_path: Path) -> None:
    """fixtures/forecast/mixed.jsonl: one skip of each local reason (tests/forecast.rs)."""
    mixed = REPO / "fixtures" / "forecast" / "mixed.jsonl"
    report = vft.check(mixed, offline=True, faces="on")
    forecast = report.summary.forecast
    assert isinstance(forecast, vft.Forecast)
    assert forecast.faces_screened
    assert (forecast.examples, forecast.examples_with_images, forecast.images) == (7, 6, 7)
    assert (forecast.keep_all_images, forecast.lose_some_images, forecast.lose_all_images) == (1, 1, 4)
    by = forecast.images_skipped_by_reason
    assert (by.format, by.mode, by.size, by.url, by.face) == (1, 2, 1, 0, 1)
    threshold = forecast.azure_skip_threshold
    assert (threshold.limit, threshold.certain, threshold.probable) == (200, 4, 1)
    assert forecast.tokens is not None
    assert forecast.tokens.trained < forecast.tokens.total


def test_unfetched_image_urls_make_tokens_and_cost_a_range(good: Path) -> None:
    """fixtures/tokens/url-images.jsonl: two URLs of unknown size offline (tests/cli.rs)."""
    urls = REPO / "fixtures" / "tokens" / "url-images.jsonl"
    tokens = vft.check(urls, offline=True).summary.tokens
    assert tokens is not None and tokens.images_unfetched == 2
    assert tokens.total < tokens.total_high and tokens.billed < tokens.billed_high
    assert tokens.cost < tokens.cost_high
    assert f"{tokens.total:,}–{tokens.total_high:,} tokens" in tokens.headline()
    stats = vft.stats(urls, offline=True)
    totals = stats.totals
    assert (totals.total_high, totals.cost_high) == (tokens.total_high, tokens.cost_high)
    assert [e.unfetched_images for e in stats.examples] == [1, 1, 0]
    assert sum(e.total_high for e in stats.examples) == tokens.total_high
    # Data URIs only: one figure.
    known = vft.check(good, offline=True).summary.tokens
    assert known is not None and known.images_unfetched == 0
    assert (known.total_high, known.cost_high) == (known.total, known.cost)
    assert "–" not in known.headline()


def test_token_figures_without_a_range_still_parse() -> None:
    """A summary from a vft before the ranges (no `*_high` keys): one figure each."""
    record = {
        "type": "summary", "files": 1, "examples": 1, "examples_with_images": 0,
        "images": 0, "errors": 0, "warnings": 0, "infos": 0, "rules": {}, "hidden": 0,
        "tokens": {"total": 1234, "billed": 3702, "epochs": 3, "cost": 0.09},
        "forecast": {"tokens": {"total": 1234, "trained": 1234, "billed": 3702,
                                "billed_trained": 3702, "cost": 0.09, "cost_trained": 0.09}},
    }
    _, summary = parse_check_output([json.dumps(record)])
    assert summary.tokens is not None and summary.tokens.total_high is None
    assert summary.tokens.headline() == "1,234 tokens, 3,702 billed (3 epochs), ≈ $0.09"
    assert summary.forecast is not None and summary.forecast.tokens is not None
    assert summary.forecast.tokens.trained_high is None


def test_html_repr_groups_by_rule_and_escapes(tmp_path: Path, good: Path) -> None:
    # A real finding whose message names a key written as HTML.
    lines = good.read_text(encoding="utf-8").splitlines()
    example = json.loads(lines[0])
    example["<script>alert(1)</script>"] = 1
    lines[0] = json.dumps(example)
    path = tmp_path / "html.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = vft.check(path, offline=True)
    assert [d.code for d in report] == ["VFT103"]
    page = report._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "VFT103 unknown-field (error, 1)" in page
    # The summary comes first.
    assert page.index("Examples") < page.index("VFT103")
    text = repr(report)
    assert text.startswith("<vft.Report 1 file(s), 10 examples")
    assert "VFT103 unknown-field [error] ×1" in text


def test_python_dash_m_vft_runs_the_binary(bad: Path, good: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "vft", "check", "--offline", "--format", "concise", str(bad)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "VFT202" in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "vft", "check", "--offline", str(good)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "No problems found" in out.stdout


def test_a_record_missing_required_keys_is_a_contract_error() -> None:
    with pytest.raises(vft.ContractError, match="diagnostic record"):
        parse_check_output(['{"type":"diagnostic","code":"VFT202"}', '{"type":"summary"}'])
    with pytest.raises(vft.ContractError, match="no summary"):
        parse_check_output([])
