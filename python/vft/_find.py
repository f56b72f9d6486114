"""Find the `vft` binary that the wheel installed.

The wheel puts the binary in the environment's scripts directory (`bin/`, `Scripts\\` on
Windows), not in the package, so it is looked for where each install scheme puts scripts,
in the order ruff's `find_ruff_bin` uses (ruff/python/ruff/__main__.py).
"""

from __future__ import annotations

import os
import sys
import sysconfig

#: Names the binary to run instead of the installed one (a development build, say).
BINARY_ENV = "VFT_BINARY"


def _user_scheme() -> str:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and getattr(sys, "_framework", None):
        return "osx_framework_user"
    return "posix_user"


def find_vft_bin() -> str:
    """The path of the `vft` executable; `FileNotFoundError` when there is none."""
    override = os.environ.get(BINARY_ENV)
    if override:
        return override
    exe = "vft" + (sysconfig.get_config_var("EXE") or "")

    # The environment the package is installed in (a venv, the system, `pipx`, `uv tool`).
    scripts_path = os.path.join(sysconfig.get_path("scripts"), exe)
    if os.path.isfile(scripts_path):
        return scripts_path

    # `pip install --user`.
    user_path = os.path.join(sysconfig.get_path("scripts", scheme=_user_scheme()), exe)
    if os.path.isfile(user_path):
        return user_path

    # `pip install --target DIR`: `DIR/bin` beside the package.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target_path = os.path.join(package_root, "bin", exe)
    if os.path.isfile(target_path):
        return target_path

    raise FileNotFoundError(
        f"the vft binary was not found (looked at {scripts_path}, {user_path} and "
        f"{target_path}); reinstall the `vft` wheel or set {BINARY_ENV}"
    )
