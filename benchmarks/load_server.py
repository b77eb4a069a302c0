"""A room of learners against the running server, over Streamlit's own websocket
protocol (not AppTest): what the server spends per rerun, what a learner waits.

Each simulated learner is what a browser tab is to the server: an HTTP GET of the page
(and, on a first visit, the JS and CSS it names), then a websocket to /_stcore/stream
that speaks Streamlit's protobuf messages (BackMsg rerun_script with the page and its
widget states; ForwardMsg deltas until script_finished).  A "click" is what a widget
change sends: a rerun of the page with the widget's new state (the lesson's "Run the
experiment" button, the playground's broker radio).

Measured side by side in one run, on loopback:
  1. per-rerun server CPU, one learner clicking in sequence: the lab's pages and a bare
     page (title + small table, benchmarks/bare_app.py);
  2. the first-page rush: L learners open their first page together;
  3. clicks: L learners each click every 1-3 s (uniform) for D seconds;
for `streamlit run app.py` (one process) and `python -m idemlab serve --workers 2`
(two processes behind HAProxy, sticky by cookie).  Reports p50/p95 per page, errors,
server CPU per rerun, memory per session, and whether any learner's requests reached
two workers.

Run: python benchmarks/load_server.py [--learners 50] [--seconds 40] [--workers 2]
The load generator runs on the same 2 cores as the servers (one asyncio process); the
load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from idemlab.serve import child_pids

ROOT = Path(__file__).resolve().parents[1]
BARE = ROOT / "benchmarks" / "bare_app.py"
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
RERUN_TIMEOUT_S = 120.0
BROWSER_CONNECTIONS = 6  # what Chromium opens per host for a page's scripts and styles
# (label, page name, query string): what learners open; learner i opens PAGES[i % 3]
PAGES = [
    ("lesson 1", "lesson-letters-get-lost", ""),
    ("playground (lost-ack link)", "playground", "scenario=lost-ack&idem=0"),
    ("home", "", ""),
]
CLICK_LABELS = ("Run the experiment", "Click")
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_health(port: int, deadline_s: float = 90) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing healthy on port {port}")


def cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


class Server:
    """`streamlit run <script>` or `idemlab serve`; .app_pids are the Streamlit processes."""

    def __init__(self, label: str, argv: list[str], port: int, serve: bool) -> None:
        self.label, self.port, self.serve = label, port, serve
        self.process = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_health(port)
        self.app_pids = (
            [c for c in child_pids(self.process.pid) if "streamlit" in _cmdline(c)] if serve else [self.process.pid]
        )
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def streamlit_single(script: Path, label: str) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    argv += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    argv += ["--server.fileWatcherType", "none"]
    return Server(label, argv, port, serve=False)


def served(workers: int) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "idemlab", "serve", "--workers", str(workers), "--port", str(port)]
    return Server(f"idemlab serve --workers {workers}", argv, port, serve=True)


# ---- one learner ------------------------------------------------------------------------
@dataclass
class Learner:
    base: str
    page: tuple[str, str, str]
    cookie: str = ""
    workers_seen: set = field(default_factory=set)
    ws: object = None
    widgets: dict = field(default_factory=dict)  # label -> (kind, id)
    errors: list = field(default_factory=list)

    def _get(self, path: str) -> bytes:
        request = urllib.request.Request(self.base + path, headers={"Cookie": self.cookie} if self.cookie else {})
        with urllib.request.urlopen(request, timeout=60) as answer:
            worker = answer.headers.get("X-Idemlab-Worker")
            if worker:
                self.workers_seen.add(worker)
            for header in answer.headers.get_all("Set-Cookie") or []:
                if header.startswith("IDEMLAB_WORKER="):
                    self.cookie = header.split(";", 1)[0]
            return answer.read()

    def _fetch_all(self, paths: list[str]) -> None:
        host, port = self.base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            for path in paths:
                connection.request("GET", "/" + path, headers={"Cookie": self.cookie} if self.cookie else {})
                answer = connection.getresponse()
                answer.read()
                if answer.status != 200:
                    self.errors.append(f"GET /{path}: {answer.status}")
        finally:
            connection.close()

    async def open(self, cold: bool) -> float:
        """The first page: HTML (+ its JS/CSS when cold), websocket, first script run."""
        started = time.perf_counter()
        html = await asyncio.to_thread(self._get, "/" + self.page[1])
        if cold:  # a first visit fetches the page's scripts and styles, six at a time, kept alive
            assets = [a.decode() for a in re.findall(rb'(?:src|href)="\.?/?(static/[^"]+\.(?:js|css))"', html)]
            shares = [assets[i::BROWSER_CONNECTIONS] for i in range(BROWSER_CONNECTIONS)]
            await asyncio.gather(*(asyncio.to_thread(self._fetch_all, share) for share in shares if share))
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await websockets.connect(
            self.base.replace("http", "ws") + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            ping_interval=None,
            open_timeout=RERUN_TIMEOUT_S,
        )
        worker = self.ws.response.headers.get("X-Idemlab-Worker")
        if worker:
            self.workers_seen.add(worker)
        await self.rerun()
        return time.perf_counter() - started

    async def rerun(self, trigger: str | None = None) -> float:
        message = BackMsg()
        state = message.rerun_script
        state.page_name, state.query_string = self.page[1], self.page[2]
        if trigger and trigger in self.widgets:
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[trigger][1]
            widget.trigger_value = True
        started = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.ws.recv(), RERUN_TIMEOUT_S))
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    self.errors.append(element.exception.message[:200])
                elif which == "button" and element.button.label in CLICK_LABELS:
                    self.widgets[element.button.label] = ("button", element.button.id)
            elif kind == "script_finished" and forward.script_finished in DONE:
                return time.perf_counter() - started

    async def click(self) -> float:
        return await self.rerun(next(iter(self.widgets), None))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


# ---- the measurements -------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def cpu_per_rerun(server: Server, page: tuple[str, str, str], reruns: int) -> tuple[float, float]:
    """(server CPU ms per rerun, median wall ms) for one learner clicking in sequence."""
    learner = Learner(server.url, page)
    await learner.open(cold=False)
    for _ in range(5):
        await learner.click()
    before = cpu_s(server.app_pids)
    walls = [await learner.click() for _ in range(reruns)]
    spent = cpu_s(server.app_pids) - before
    await learner.close()
    return spent / reruns * 1000, statistics.median(walls) * 1000


async def rush(server: Server, learners: int) -> dict:
    crowd = [Learner(server.url, PAGES[i % len(PAGES)]) for i in range(learners)]
    rss_before = rss_mb(server.app_pids)
    results = await asyncio.gather(*(one.open(cold=True) for one in crowd), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)] + [e for one in crowd for e in one.errors]
    times = [r for r in results if not isinstance(r, BaseException)]
    by_page = {}
    for one, r in zip(crowd, results, strict=True):
        if not isinstance(r, BaseException):
            by_page.setdefault(one.page[0], []).append(r)
    rss_after = rss_mb(server.app_pids)
    return {
        "crowd": crowd,
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "by_page": by_page,
        "errors": errors,
        "mb_per_session": (rss_after - rss_before) / max(1, len(times)),
        "workers": sorted({w for one in crowd for w in one.workers_seen}),
        "moved": sum(1 for one in crowd if len(one.workers_seen) > 1),
    }


async def clicking(server: Server, crowd: list[Learner], seconds: float) -> dict:
    samples: dict[str, list[float]] = {}
    errors: list = []
    reruns = [0]
    before = cpu_s(server.app_pids)
    end = time.monotonic() + seconds

    async def learner_loop(one: Learner) -> None:
        await asyncio.sleep(random.uniform(0, 2))
        while time.monotonic() < end:
            try:
                samples.setdefault(one.page[0], []).append(await one.click())
                reruns[0] += 1
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                errors.append(f"{type(exc).__name__}: {exc}")
                return
            await asyncio.sleep(random.uniform(1, 3))

    await asyncio.gather(*(learner_loop(one) for one in crowd if one.ws is not None))
    spent = cpu_s(server.app_pids) - before
    every = [t for values in samples.values() for t in values]
    return {
        "p50": pct(every, 50),
        "p95": pct(every, 95),
        "by_page": samples,
        "errors": errors + [e for one in crowd for e in one.errors],
        "reruns": reruns[0],
        "cpu_ms_per_rerun": spent / max(1, reruns[0]) * 1000,
        "moved": sum(1 for one in crowd if len(one.workers_seen) > 1),
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def room(server: Server, learners: int, seconds: float) -> tuple[dict, dict]:
    warm = Learner(server.url, PAGES[0])  # the app's one-time navigation switch, per process
    for _ in server.app_pids:
        await warm.open(cold=False)
        await warm.close()
        warm = Learner(server.url, PAGES[0])
    first = await rush(server, learners)
    clicks = await clicking(server, first["crowd"], seconds)
    for one in first["crowd"]:
        await one.close()
    return first, clicks


def show_room(label: str, first: dict, clicks: dict) -> None:
    print(f"\n{label}")
    print(
        f"  first-page rush: p50 {first['p50']:.2f} s, p95 {first['p95']:.2f} s; errors {len(first['errors'])}; "
        f"memory {first['mb_per_session']:.1f} MB per session; workers {first['workers'] or ['(one process)']}"
    )
    for page, values in sorted(first["by_page"].items()):
        print(f"    {page:30s} p50 {pct(values, 50):.2f} s  p95 {pct(values, 95):.2f} s  (n={len(values)})")
    print(
        f"  clicks: p50 {clicks['p50']:.2f} s, p95 {clicks['p95']:.2f} s over {clicks['reruns']} clicks; "
        f"errors {len(clicks['errors'])}; server CPU {clicks['cpu_ms_per_rerun']:.0f} ms per rerun; "
        f"learners whose requests reached two workers: {clicks['moved']}"
    )
    for page, values in sorted(clicks["by_page"].items()):
        print(f"    {page:30s} p50 {pct(values, 50):.2f} s  p95 {pct(values, 95):.2f} s  (n={len(values)})")
    for error in (first["errors"] + clicks["errors"])[:5]:
        print(f"    error: {str(error)[:160]}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reruns", type=int, default=40, help="sequential reruns per page for CPU per rerun")
    args = parser.parse_args()
    random.seed(7)
    asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=400))
    print(f"{os.cpu_count()} cores; load average before: {load_average()}")

    print("\n1. Server CPU per rerun, one learner clicking in sequence (same run, same machine)")
    bare = streamlit_single(BARE, "bare page")
    single = streamlit_single(ROOT / "app.py", "streamlit run app.py")
    try:
        bare_ms, bare_wall = await cpu_per_rerun(bare, ("bare", "", ""), args.reruns)
        print(f"  {'bare page (title + small table)':32s} {bare_ms:6.1f} ms CPU  (wall p50 {bare_wall:.0f} ms)")
        for page in PAGES:
            ms, wall = await cpu_per_rerun(single, page, args.reruns)
            print(f"  {page[0]:32s} {ms:6.1f} ms CPU  (wall p50 {wall:.0f} ms)  {ms / bare_ms:.2f}x the bare page")
    finally:
        bare.stop()

    print(f"\n2-3. {args.learners} learners: the first-page rush, then clicks every 1-3 s for {args.seconds:.0f} s")
    try:
        first_1, clicks_1 = await room(single, args.learners, args.seconds)
        show_room("streamlit run app.py (one process)", first_1, clicks_1)
    finally:
        single.stop()
    many = served(args.workers)
    try:
        first_n, clicks_n = await room(many, args.learners, args.seconds)
        show_room(f"idemlab serve --workers {args.workers} (HAProxy, sticky)", first_n, clicks_n)
    finally:
        many.stop()
    print(
        f"\nRatios, --workers {args.workers} to one process: first-page rush p95 "
        f"{first_n['p95'] / first_1['p95']:.2f}x; clicks p95 {clicks_n['p95'] / clicks_1['p95']:.2f}x "
        "(target: at most 0.6x each)"
    )
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    asyncio.run(main())
