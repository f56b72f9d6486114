"""`python -m vft ARGS`: runs the installed `vft` binary with ARGS."""

from __future__ import annotations

import os
import subprocess
import sys

from vft._find import find_vft_bin


def main() -> int:
    vft = find_vft_bin()
    if sys.platform == "win32":
        # No exec on Windows: run it as a child and pass its exit status on.
        return subprocess.run([vft, *sys.argv[1:]]).returncode
    os.execvp(vft, [vft, *sys.argv[1:]])
    return 0  # unreachable: exec replaced the process


if __name__ == "__main__":
    sys.exit(main())
