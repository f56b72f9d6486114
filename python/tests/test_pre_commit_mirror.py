import re

from conftest import REPO


def test_the_mirror_pins_this_version() -> None:
    cargo = (REPO / "Cargo.toml").read_text(encoding="utf-8")
    crate = re.search(r'^version = "([^"]+)"', cargo, re.M).group(1)
    mirror = (REPO / "pre-commit-mirror" / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{crate}"' in mirror
    assert f'dependencies = ["vft=={crate}"]' in mirror
