"""vft: validate OpenAI / Azure OpenAI vision fine-tuning JSONL files before upload.

    >>> import vft
    >>> report = vft.check("train.jsonl", target="azure", offline=True)
    >>> report.summary.errors, report.summary.tokens.cost

The functions run the `vft` binary that the wheel installed and parse its documented JSON
output; see the README ("Python").
"""

from vft._find import find_vft_bin
from vft._report import (
    ContractError,
    Diagnostic,
    ExampleTokens,
    Forecast,
    Location,
    Report,
    RuleCount,
    SkipsByReason,
    SkipThreshold,
    Stats,
    Summary,
    Tokens,
    TrainedTokens,
)
from vft._run import VftError, check, stats

__all__ = [
    "ContractError",
    "Diagnostic",
    "ExampleTokens",
    "Forecast",
    "Location",
    "Report",
    "RuleCount",
    "SkipThreshold",
    "SkipsByReason",
    "Stats",
    "Summary",
    "Tokens",
    "TrainedTokens",
    "VftError",
    "check",
    "find_vft_bin",
    "stats",
]
