"""`vft.check` and `vft.stats`: run the binary with `--format json` and parse its output.

Only the flags given are passed, so a flag the installed binary does not have yet (for
example `--method`, planned) fails only when it is used: vft exits 2 and `VftError`
carries its message.
"""

from __future__ import annotations

import os
import subprocess
from typing import Iterable, List, Mapping, Optional, Sequence, Union

from vft._find import find_vft_bin
from vft._report import (
    ContractError,
    Report,
    Stats,
    parse_check_output,
    parse_stats_output,
)

PathArg = Union[str, "os.PathLike[str]"]
Paths = Union[PathArg, Iterable[PathArg]]
Rules = Union[str, Iterable[str]]


class VftError(Exception):
    """vft could not do its job (exit status 2: unreadable file, bad flag or configuration),
    or its output broke the contract. Findings (exit status 1) are no error: they are in
    the `Report`."""

    def __init__(
        self,
        message: str,
        *,
        exit_status: int,
        stderr: str,
        args: Sequence[str],
        report: Optional[Report] = None,
    ) -> None:
        super().__init__(message)
        self.exit_status = exit_status
        self.stderr = stderr
        self.command = list(args)
        #: What vft did check when some files could not be read (exit 2 with a summary).
        self.report = report


def _paths(paths: Paths) -> List[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    result = [os.fspath(p) for p in paths]
    if not result:
        raise ValueError("no paths to check")
    return result


def _rules(flag: str, rules: Optional[Rules]) -> List[str]:
    if rules is None:
        return []
    if isinstance(rules, str):
        rules = [rules]
    return [f"{flag}={','.join(rules)}"]


def _option(flag: str, value: object) -> List[str]:
    if value is None:
        return []
    return [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]


def _switch(flag: str, value: Optional[bool]) -> List[str]:
    return [flag] if value else []


def _run(args: List[str], cwd: Optional[PathArg], env: Optional[Mapping[str, str]]):
    return subprocess.run(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
        text=True,
        encoding="utf-8",
        errors="replace",
    )


def _failure(what: str, done, args: List[str]) -> str:
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    # clap and vft both start the line that says why with `error:`.
    reasons = [line for line in lines if "error:" in line] or lines
    return f"{what} failed with exit status {done.returncode}" + (
        f": {reasons[0]}" if reasons else ""
    )


def _shared_args(
    target: Optional[str],
    model: Optional[str],
    offline: Optional[bool],
    epochs: Optional[int],
    price_per_million: Optional[float],
    jobs: Optional[int],
) -> List[str]:
    """The flags `vft check` and `vft stats` share."""
    return [
        *_option("--target", target),
        *_option("--model", model),
        *_switch("--offline", offline),
        *_option("--epochs", epochs),
        *_option("--price-per-million", price_per_million),
        *_option("--jobs", jobs),
    ]


def check(
    paths: Paths,
    *,
    target: Optional[str] = None,
    method: Optional[str] = None,
    model: Optional[str] = None,
    offline: Optional[bool] = None,
    deep: Optional[bool] = None,
    faces: Optional[str] = None,
    select: Optional[Rules] = None,
    ignore: Optional[Rules] = None,
    fail_on: Optional[str] = None,
    config: Optional[PathArg] = None,
    isolated: Optional[bool] = None,
    epochs: Optional[int] = None,
    price_per_million: Optional[float] = None,
    jobs: Optional[int] = None,
    extra_args: Sequence[str] = (),
    cwd: Optional[PathArg] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Report:
    """Check JSONL files with `vft check` and return what it found.

    Each keyword is the flag of the same name (`vft check --help`); `None` leaves it out.
    `extra_args` are passed as they are. Raises `VftError` when vft exits 2 (or is killed),
    not when it has findings.
    """
    args = [find_vft_bin(), "check", "--format", "json"]
    args += _shared_args(target, model, offline, epochs, price_per_million, jobs)
    args += _option("--method", method)
    args += _switch("--deep", deep)
    args += _option("--faces", faces)
    args += _rules("--select", select)
    args += _rules("--ignore", ignore)
    args += _option("--fail-on", fail_on)
    args += _option("--config", config)
    args += _switch("--isolated", isolated)
    args += list(extra_args)
    args += ["--", *_paths(paths)]
    done = _run(args, cwd, env)
    report: Optional[Report] = None
    try:
        diagnostics, summary = parse_check_output(done.stdout.splitlines())
        report = Report(diagnostics, summary, done.returncode, done.stderr, args)
    except ContractError as error:
        if done.returncode in (0, 1):
            raise VftError(
                f"vft check wrote output that breaks the JSON contract: {error}",
                exit_status=done.returncode,
                stderr=done.stderr,
                args=args,
            ) from error
    if done.returncode not in (0, 1) or report is None:
        raise VftError(
            _failure("vft check", done, args),
            exit_status=done.returncode,
            stderr=done.stderr,
            args=args,
            report=report,
        )
    return report


def stats(
    paths: Paths,
    *,
    target: Optional[str] = None,
    model: Optional[str] = None,
    offline: Optional[bool] = None,
    epochs: Optional[int] = None,
    price_per_million: Optional[float] = None,
    jobs: Optional[int] = None,
    extra_args: Sequence[str] = (),
    cwd: Optional[PathArg] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Stats:
    """Count tokens, epochs and cost with `vft stats`; `VftError` on a non-zero exit."""
    args = [find_vft_bin(), "stats", "--format", "json"]
    args += _shared_args(target, model, offline, epochs, price_per_million, jobs)
    args += list(extra_args)
    args += ["--", *_paths(paths)]
    done = _run(args, cwd, env)
    if done.returncode != 0:
        raise VftError(
            _failure("vft stats", done, args),
            exit_status=done.returncode,
            stderr=done.stderr,
            args=args,
        )
    try:
        examples, totals = parse_stats_output(done.stdout.splitlines())
    except ContractError as error:
        raise VftError(
            f"vft stats wrote output that breaks the JSON contract: {error}",
            exit_status=done.returncode,
            stderr=done.stderr,
            args=args,
        ) from error
    return Stats(examples, totals, done.stderr, args)
