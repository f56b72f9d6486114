"""The GitHub Action's job summary: `python -m vft.action_summary REPORT.jsonl`.

Reads `vft check --format json` output and appends Markdown to `$GITHUB_STEP_SUMMARY`:
the figures (files, examples, images, tokens, billed tokens, estimated cost), then one
table per rule with its count and its first findings. Writes `errors`, `warnings`,
`infos` and `findings` to `$GITHUB_OUTPUT`. Without those variables (run by hand) the
Markdown goes to standard output.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional, Sequence

from vft._report import Diagnostic, Summary, _dollar_range, _int_range, parse_check_output

#: Findings listed per rule; the count covers all of them.
ROWS_PER_RULE = 5


def _cell(text: str) -> str:
    """Text safe in one Markdown table cell: no line breaks, pipes escaped, no raw HTML."""
    text = " ".join(text.split())
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(raw, escaped)
    return text


def render(diagnostics: Sequence[Diagnostic], summary: Summary, title: str = "vft") -> str:
    s = summary
    verdict = "no problems found" if not s.rules else (
        f"{s.errors} error(s), {s.warnings} warning(s), {s.infos} info"
    )
    out: List[str] = [f"## {_cell(title)}: {verdict}", ""]
    out += ["| Files | Examples | With images | Images |", "|---:|---:|---:|---:|"]
    out += [f"| {s.files:,} | {s.examples:,} | {s.examples_with_images:,} | {s.images:,} |", ""]
    if s.tokens is not None:
        t = s.tokens
        # A range (low–high) when image URLs were not fetched.
        cost = "" if t.cost is None else _dollar_range(t.cost, t.cost_high)
        out += [
            "| Model | Tokens | Billed tokens | Epochs | Estimated cost |",
            "|---|---:|---:|---:|---:|",
            f"| {_cell(t.model or '')} | {_int_range(t.total or 0, t.total_high)} | "
            f"{_int_range(t.billed or 0, t.billed_high)} | {t.epochs or 0} | {cost} |",
            "",
        ]
    by_rule: dict = {}
    for d in diagnostics:
        by_rule.setdefault(d.code, []).append(d)
    for code, rule in s.rules.items():
        out.append(f"### {_cell(code)} `{_cell(rule.name)}`: {rule.count:,} {_cell(rule.severity)}")
        out.append("")
        first = by_rule.get(code, [])[:ROWS_PER_RULE]
        if first:
            out += ["| Location | Message |", "|---|---|"]
            out += [f"| `{_cell(str(d.location))}` | {_cell(d.message)} |" for d in first]
        if rule.count > len(first):
            out.append("")
            out.append(f"… and {rule.count - len(first):,} more.")
        out.append("")
    return "\n".join(out) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vft.action_summary", description=__doc__.split("\n")[0])
    parser.add_argument("report", help="output of `vft check --format json`")
    parser.add_argument("--title", default="vft", help="the summary's heading")
    args = parser.parse_args(argv)
    with open(args.report, encoding="utf-8") as report:
        diagnostics, summary = parse_check_output(report)
    markdown = render(diagnostics, summary, args.title)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as out:
            out.write(markdown)
    else:
        sys.stdout.write(markdown)
    output_path = os.environ.get("GITHUB_OUTPUT")
    if output_path:
        with open(output_path, "a", encoding="utf-8") as out:
            out.write(f"errors={summary.errors}\nwarnings={summary.warnings}\n")
            out.write(f"infos={summary.infos}\nfindings={sum(r.count for r in summary.rules.values())}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
