"""Peak memory of `python -m idemlab run FILE --json` for very large simulated runs.

Past idemlab.__main__.SUMMARISE_ABOVE messages a run counts its per-message events
instead of tracing them; this prints the peak RSS of 1,000,000 messages with --json
(target: under 500 MB) and of the documented maximum, 2,000,000, with --json --trace
(target: under 1 GB), each in its own process, output to /dev/null.

    python -m benchmarks.cli_memory
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cli_json import write_scenario


def peak_mb(command: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for messages, flags in ((1_000_000, ["--json"]), (2_000_000, ["--json", "--trace"])):
            path = Path(folder) / f"bulk-{messages}.toml"
            write_scenario(path, messages)
            mb, seconds = peak_mb([sys.executable, "-m", "idemlab", "run", str(path), *flags])
            print(f"{messages:>9,} messages {' '.join(flags):<15} peak RSS {mb:6.0f} MB  {seconds:5.1f} s")
    print(
        f"load average {os.getloadavg()[0]:.1f}; this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
