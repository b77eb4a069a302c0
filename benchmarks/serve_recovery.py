"""How long a room served by `python -m idemlab serve --workers 2` is disturbed by a crash:
  1. kill -9 one worker: seconds until a learner whose cookie names it is served again
     (by the other worker: HAProxy's `option redispatch`), and until the worker itself is
     healthy again (serve starts it again);
  2. kill -9 HAProxy: seconds until the room answers again.
Each figure is the median of --rounds rounds; the load average is printed with them.

Run: python benchmarks/serve_recovery.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from idemlab import serve  # noqa: E402


def _get(url: str, cookie: str = "") -> str | None:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.headers.get(serve.WORKER_HEADER) or "?"
    except OSError:
        return None


def _seconds_until(condition, limit: float = 300) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > limit:
            raise SystemExit(f"not within {limit} s")
        time.sleep(0.05)
    return time.monotonic() - started


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def _workers(serve_pid: int) -> list[int]:
    return sorted(p for p in serve.child_pids(serve_pid) if "streamlit" in _cmdline(p))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = serve.free_port()
    base = f"http://127.0.0.1:{port}"
    room = subprocess.Popen(
        [sys.executable, "-m", "idemlab", "serve", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    served, restarted, balancer_back = [], [], []
    try:
        _seconds_until(lambda: _get(base + "/_stcore/health") is not None)
        for _ in range(args.rounds):
            _seconds_until(lambda: len(_workers(room.pid)) == 2 and _get(base + "/", "IDEMLAB_WORKER=w1") == "w1")
            victim = _workers(room.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic()
            _seconds_until(lambda: _get(base + "/", "IDEMLAB_WORKER=w1") is not None)
            served.append(time.monotonic() - killed)
            _seconds_until(lambda: _get(base + "/", "IDEMLAB_WORKER=w1") == "w1")
            restarted.append(time.monotonic() - killed)
            balancer = next(p for p in serve.child_pids(room.pid) if "haproxy" in _cmdline(p))
            os.kill(balancer, signal.SIGKILL)
            balancer_back.append(_seconds_until(lambda: _get(base + "/_stcore/health") is not None))
    finally:
        room.terminate()
        room.wait(30)
    load = os.getloadavg()[0]
    print(f"rounds: {args.rounds}, load average {load:.1f} on {os.cpu_count()} cores")
    print(f"kill -9 of a worker: its learners served again after {statistics.median(served):.2f} s (median)")
    print(f"kill -9 of a worker: the worker serving again after {statistics.median(restarted):.1f} s (median)")
    print(f"kill -9 of HAProxy: the room answering again after {statistics.median(balancer_back):.2f} s (median)")


if __name__ == "__main__":
    main()
