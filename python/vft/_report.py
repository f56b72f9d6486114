"""Typed results of `vft check --format json` and `vft stats --format json`.

The JSON Lines contract is documented in the README ("JSON output"). Parsing is tolerant:
keys this version does not know (a future `method`, new token figures) are
kept in each object's `extra` mapping instead of failing, and a missing optional key
becomes `None`.
"""

from __future__ import annotations

import dataclasses
import html
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Type, TypeVar

T = TypeVar("T")

#: Findings shown per rule in `Report._repr_html_`; the counts always cover all.
HTML_ROWS_PER_RULE = 20


def _from_mapping(cls: Type[T], data: Mapping[str, Any], **override: Any) -> T:
    """`cls` from the keys of `data` it declares; the other keys go to `extra`."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    known = {k: v for k, v in data.items() if k in names and k != "extra"}
    known.update(override)
    extra = {k: v for k, v in data.items() if k not in names and k != "type"}
    if "extra" in names:
        known["extra"] = extra
    return cls(**known)


@dataclass(frozen=True)
class Location:
    file: str
    #: 1-based line; `None` for findings about the whole file.
    line: Optional[int] = None
    #: 1-based column in Unicode code points.
    column: Optional[int] = None
    #: RFC 6901 JSON pointer of the offending value in the line (`""`: the whole line).
    pointer: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    #: `"error"`, `"warning"` or `"info"`.
    severity: str
    message: str
    location: Location
    help: Optional[str] = None
    #: On a rule's info findings grouped into one diagnostic per file: how many findings
    #: it stands for (`None`: just this one).
    occurrences: Optional[int] = None
    #: With `occurrences`: the first lines they are on (at most five, this one's first).
    occurrence_lines: Optional[List[int]] = None
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Diagnostic":
        location = _from_mapping(Location, data.get("location") or {"file": ""})
        return _from_mapping(cls, data, location=location)


@dataclass(frozen=True)
class RuleCount:
    name: str
    severity: str
    count: int
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Tokens:
    """Token and cost figures: the summary's `tokens`, or `vft stats`' totals record."""

    model: Optional[str] = None
    examples: Optional[int] = None
    total: Optional[int] = None
    text: Optional[int] = None
    image: Optional[int] = None
    assistant: Optional[int] = None
    images_unknown: Optional[int] = None
    min: Optional[int] = None
    median: Optional[int] = None
    p90: Optional[int] = None
    max: Optional[int] = None
    example_token_limit: Optional[int] = None
    examples_over_limit: Optional[int] = None
    epochs: Optional[int] = None
    default_epochs: Optional[bool] = None
    billed_per_epoch: Optional[int] = None
    billed: Optional[int] = None
    price_per_million: Optional[float] = None
    price_source: Optional[str] = None
    #: Estimated training cost in USD.
    cost: Optional[float] = None
    #: `vft stats` only: files read, and non-blank lines that are no JSON object.
    files: Optional[int] = None
    uncounted: Optional[int] = None
    #: `vft stats` only: why no epochs, billed tokens or cost are given (RFT is billed by
    #: training time).
    cost_note: Optional[str] = None
    #: Of `images_unknown`, the image URLs not fetched (`--offline`, no network): the
    #: figures are then a range, from each at its least (`total`, `billed`, `cost`) to
    #: each at the most it can cost (the `*_high` fields, equal to the others when every
    #: size is known; `None` from a vft before 2026-12).
    images_unfetched: Optional[int] = None
    total_high: Optional[int] = None
    image_high: Optional[int] = None
    max_high: Optional[int] = None
    examples_over_limit_high: Optional[int] = None
    billed_per_epoch_high: Optional[int] = None
    billed_high: Optional[int] = None
    cost_high: Optional[float] = None
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def headline(self) -> str:
        parts = []
        if self.total is not None:
            parts.append(f"{_int_range(self.total, self.total_high)} tokens")
        if self.billed is not None and self.epochs is not None:
            billed = _int_range(self.billed, self.billed_high)
            parts.append(f"{billed} billed ({self.epochs} epochs)")
        if self.cost is not None:
            parts.append(f"≈ {_dollar_range(self.cost, self.cost_high)}")
        return ", ".join(parts)


def _int_range(low: int, high: Optional[int]) -> str:
    """`1,234`, or `1,234–5,678` when the high bound is above the low one."""
    if high is None or high <= low:
        return f"{low:,}"
    return f"{low:,}–{high:,}"


def _dollar_range(low: float, high: Optional[float]) -> str:
    low_text = f"${low:,.2f}"
    high_text = low_text if high is None else f"${high:,.2f}"
    return low_text if high_text == low_text else f"{low_text}–{high_text}"


@dataclass(frozen=True)
class SkipsByReason:
    """Images the platform skips, by reason (the forecast's `images_skipped_by_reason`)."""

    format: int = 0
    mode: int = 0
    size: int = 0
    url: int = 0
    #: Probable skips: a face was found (`--faces on`).
    face: int = 0
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class SkipThreshold:
    """Azure's limit on skipped image examples, for the file with the most of them."""

    limit: int = 200
    #: Examples with an image skipped for certain.
    certain: int = 0
    #: Examples whose only skipped images are probable skips (faces).
    probable: int = 0
    files_over: int = 0
    files_over_if_probable: int = 0
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class TrainedTokens:
    """Tokens and cost of what trains (skipped images left out) beside the totals."""

    total: int = 0
    trained: int = 0
    billed: int = 0
    billed_trained: int = 0
    cost: float = 0.0
    cost_trained: float = 0.0
    #: The same with every unfetched image URL at the most it can cost (`None` from a vft
    #: before 2026-12).
    total_high: Optional[int] = None
    trained_high: Optional[int] = None
    billed_high: Optional[int] = None
    billed_trained_high: Optional[int] = None
    cost_high: Optional[float] = None
    cost_trained_high: Optional[float] = None
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Forecast:
    """The training-set forecast: what trains once the platform has skipped images."""

    examples: int = 0
    examples_with_images: int = 0
    keep_all_images: int = 0
    lose_some_images: int = 0
    #: Examples left with no image: they train as text only.
    lose_all_images: int = 0
    images: int = 0
    images_skipped: int = 0
    images_skipped_by_reason: SkipsByReason = field(default_factory=SkipsByReason)
    images_probably_skipped: int = 0
    images_unverified: int = 0
    faces_screened: bool = False
    azure_skip_threshold: SkipThreshold = field(default_factory=SkipThreshold)
    tokens: Optional[TrainedTokens] = None
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Forecast":
        tokens = data.get("tokens")
        return _from_mapping(
            cls,
            data,
            images_skipped_by_reason=_from_mapping(
                SkipsByReason, data.get("images_skipped_by_reason") or {}
            ),
            azure_skip_threshold=_from_mapping(
                SkipThreshold, data.get("azure_skip_threshold") or {}
            ),
            tokens=_from_mapping(TrainedTokens, tokens) if tokens is not None else None,
        )

    def headline(self) -> str:
        t = self.azure_skip_threshold
        return (
            f"{self.images_skipped:,} of {self.images:,} images skipped; "
            f"{self.lose_all_images:,} examples train as text only; "
            f"Azure limit {t.limit}: {t.certain:,} certain + {t.probable:,} probable"
        )


@dataclass(frozen=True)
class Summary:
    files: int = 0
    examples: int = 0
    examples_with_images: int = 0
    images: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    #: Findings per rule code, in code order.
    rules: Dict[str, RuleCount] = field(default_factory=dict)
    #: Findings counted but not written (display caps).
    hidden: int = 0
    schema_version: Optional[int] = None
    #: `None` when no example could be counted.
    tokens: Optional[Tokens] = None
    #: The training-set forecast; `None` from a vft that writes none.
    forecast: Optional[Forecast] = None
    #: Keys of a later contract kept as they came (e.g. the `method`).
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Summary":
        rules = {
            code: _from_mapping(RuleCount, rule)
            for code, rule in (data.get("rules") or {}).items()
        }
        tokens = data.get("tokens")
        forecast = data.get("forecast")
        return _from_mapping(
            cls,
            data,
            rules=rules,
            tokens=_from_mapping(Tokens, tokens) if tokens is not None else None,
            forecast=Forecast.from_json(forecast) if forecast is not None else None,
        )

    @property
    def method(self) -> Optional[Any]:
        """The fine-tuning method the file was checked for, once vft reports it."""
        return self.extra.get("method")

    def headline(self) -> str:
        return (
            f"{self.files} file(s), {self.examples:,} examples "
            f"({self.examples_with_images:,} with images, {self.images:,} images): "
            f"{self.errors} error(s), {self.warnings} warning(s), {self.infos} info"
        )


@dataclass(frozen=True)
class Report:
    """What `vft check` found. `exit_status` is 0 (nothing at `--fail-on`) or 1."""

    diagnostics: List[Diagnostic]
    summary: Summary
    exit_status: int = 0
    #: What vft wrote on stderr (empty on a normal run).
    stderr: str = ""
    #: The command that ran.
    args: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No finding at or above `--fail-on` (exit status 0)."""
        return self.exit_status == 0

    def by_rule(self) -> Dict[str, List[Diagnostic]]:
        """Diagnostics per rule code, in code order, each in input order."""
        groups: Dict[str, List[Diagnostic]] = {}
        for d in sorted(self.diagnostics, key=lambda d: d.code):
            groups.setdefault(d.code, []).append(d)
        return groups

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.diagnostics)

    def __len__(self) -> int:
        return len(self.diagnostics)

    def __repr__(self) -> str:
        lines = [f"<vft.Report {self.summary.headline()}>"]
        if self.summary.tokens is not None:
            lines.append(f"  {self.summary.tokens.headline()}")
        groups = self.by_rule()
        for code, rule in self.summary.rules.items():
            lines.append(f"  {code} {rule.name} [{rule.severity}] ×{rule.count}")
            for d in groups.get(code, [])[:3]:
                lines.append(f"    {d.location}: {d.message}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        s = self.summary
        out = ['<div class="vft-report">', f"<p><b>vft</b>: {e(s.headline())}</p>"]
        figures = [
            ("Files", s.files),
            ("Examples", s.examples),
            ("With images", s.examples_with_images),
            ("Images", s.images),
            ("Errors", s.errors),
            ("Warnings", s.warnings),
            ("Infos", s.infos),
        ]
        if s.tokens is not None:
            t = s.tokens
            figures += [
                ("Tokens", t.total),
                ("Billed tokens", t.billed),
                ("Epochs", t.epochs),
                ("Estimated cost (USD)", None if t.cost is None else f"{t.cost:,.2f}"),
            ]
        out.append("<table><tr>")
        out += [f"<th>{e(label)}</th>" for label, _ in figures]
        out.append("</tr><tr>")
        out += [f"<td>{e('' if v is None else str(v))}</td>" for _, v in figures]
        out.append("</tr></table>")
        if not s.rules:
            out.append("<p>No problems found.</p>")
        else:
            out.append(
                "<table><tr><th>Rule</th><th>Location</th><th>Message</th>"
                "<th>Help</th></tr>"
            )
            groups = self.by_rule()
            for code, rule in s.rules.items():
                out.append(
                    f'<tr><th colspan="4" style="text-align:left">{e(code)} '
                    f"{e(rule.name)} ({e(rule.severity)}, {rule.count})</th></tr>"
                )
                shown = groups.get(code, [])[:HTML_ROWS_PER_RULE]
                for d in shown:
                    out.append(
                        f"<tr><td></td><td>{e(str(d.location))}</td>"
                        f"<td>{e(d.message)}</td><td>{e(d.help or '')}</td></tr>"
                    )
                if rule.count > len(shown):
                    out.append(
                        f'<tr><td></td><td colspan="3">… {rule.count - len(shown)} '
                        "more</td></tr>"
                    )
            out.append("</table>")
        out.append("</div>")
        return "".join(out)


@dataclass(frozen=True)
class ExampleTokens:
    """One example's record in `vft stats --format json`."""

    file: str
    line: int
    text: Optional[int] = None
    image: Optional[int] = None
    total: Optional[int] = None
    assistant: Optional[int] = None
    unknown_images: Optional[int] = None
    #: Of `unknown_images`, the image URLs not fetched, and `total` with each of them at
    #: the most it can cost (`None` from a vft before 2026-12).
    unfetched_images: Optional[int] = None
    total_high: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ExampleTokens":
        flat = {k: v for k, v in data.items() if k not in ("tokens", "type")}
        flat.update(data.get("tokens") or {})
        return _from_mapping(cls, flat)


@dataclass(frozen=True)
class Stats:
    """What `vft stats` counted: a record per example, then the totals."""

    examples: List[ExampleTokens]
    totals: Tokens
    stderr: str = ""
    args: List[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<vft.Stats {len(self.examples):,} examples: {self.totals.headline()}>"


class ContractError(ValueError):
    """vft's output does not follow the JSON contract."""


def _records(lines: Iterable[str]) -> Iterable[Dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise ContractError(f"line {number} of vft's output is not JSON: {error}")
        if not isinstance(record, dict):
            raise ContractError(f"line {number} of vft's output is not an object")
        yield record


def parse_check_output(lines: Iterable[str]) -> "tuple[List[Diagnostic], Summary]":
    """Diagnostics and summary from `vft check --format json` output."""
    diagnostics: List[Diagnostic] = []
    summary: Optional[Summary] = None
    for record in _records(lines):
        kind = record.get("type")
        try:
            if kind == "diagnostic":
                diagnostics.append(Diagnostic.from_json(record))
            elif kind == "summary":
                summary = Summary.from_json(record)
        except (TypeError, AttributeError) as error:  # a required key missing, a wrong type
            raise ContractError(f"a {kind} record of vft's output is malformed: {error}")
        # Other record types belong to a later contract: skipped.
    if summary is None:
        raise ContractError("vft's output has no summary record")
    return diagnostics, summary


def parse_stats_output(lines: Iterable[str]) -> "tuple[List[ExampleTokens], Tokens]":
    """Example records and totals from `vft stats --format json` output."""
    examples: List[ExampleTokens] = []
    totals: Optional[Tokens] = None
    for record in _records(lines):
        kind = record.get("type")
        if kind == "example":
            examples.append(ExampleTokens.from_json(record))
        elif kind == "totals":
            totals = _from_mapping(Tokens, {k: v for k, v in record.items() if k != "type"})
    if totals is None:
        raise ContractError("vft's output has no totals record")
    return examples, totals
