"""The suite runs against the INSTALLED `vft` wheel (see .ci/python), on the repository's
fixtures, with real runs of the binary."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


@pytest.fixture
def good() -> Path:
    return FIXTURES / "valid" / "docs-examples.jsonl"


@pytest.fixture
def bad() -> Path:
    """Two VFT202 findings (lines 1 and 2) and VFT401 (2 examples)."""
    return FIXTURES / "rules" / "VFT202-invalid-image-detail" / "fail.jsonl"


@pytest.fixture(autouse=True, scope="session")
def _installed_package() -> None:
    import vft

    # Not the source tree's python/vft: the tests are of what `pip install` installed.
    assert str(REPO / "python") not in str(Path(vft.__file__).resolve()), vft.__file__
    assert sys.prefix != sys.base_prefix or "site-packages" in vft.__file__
