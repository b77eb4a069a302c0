"""The one way tests run the command line in a subprocess: `python -m idemlab …` from the
project's root, output captured as text, bounded by a time-out (a hung command fails the
test instead of holding the suite)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDEMLAB = (sys.executable, "-m", "idemlab")
TIMEOUT_S = 120


def run_cli(*args: str, timeout: float = TIMEOUT_S, **options) -> subprocess.CompletedProcess:
    """Run `python -m idemlab *args`; options go to subprocess.run (stdout=a file, ...)."""
    options.setdefault("cwd", ROOT)
    if "stdout" not in options:
        options["capture_output"] = True
    else:
        options.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([*IDEMLAB, *args], text=True, timeout=timeout, **options)
