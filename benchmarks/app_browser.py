"""The app as a learner's browser sees it (Debian Chromium, Playwright, `streamlit run`):

(a) seconds from opening the playground to a rendered stored-log table, median of N
    (default 5), each in a fresh browser context (a new Streamlit session); the server
    is warmed by one visit first, as in a workshop.  Twice: by a lesson's link (the
    set-up folded) and by the bare URL (the set-up open, its widgets drawn);
(c) for scale, the same wait on a one-line Streamlit app (a title and a three-row HTML
    table) served the same way: what Streamlit itself costs on this machine;
(b) server memory per idle session: RSS of the streamlit process after opening
    SESSIONS (default 10) idle playground tabs, minus before, divided by SESSIONS.

    python benchmarks/app_browser.py [--runs 5] [--sessions 10]

RSS is read from /proc (Linux).  The load average is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLAYGROUND_LINK = "playground?scenario=lost-ack&idem=0"
PLAYGROUND_BARE = "playground"
# The stored log: a short one is an HTML table (ui/views/html_table.py) with the check column.
STORED_LOG = {
    PLAYGROUND_LINK: "table.idl-table:has-text('DUPLICATE of offset 1')",
    PLAYGROUND_BARE: "table.idl-table:has-text('check')",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


FLOOR_APP = """import streamlit as st
st.title("Floor")
st.html("<table><tr><th>check</th></tr><tr><td>ok</td></tr><tr><td>DUPLICATE of offset 1</td></tr></table>")
"""


def start_server(root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - the server writes to it until stopped
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"streamlit did not start; log: {log.name}")


def open_playground(browser, url: str, path: str = PLAYGROUND_LINK):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{url}/{path}")
    page.wait_for_selector(STORED_LOG[path], state="attached", timeout=60_000)
    return context, page, time.perf_counter() - started


def floor_seconds(browser, runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "app.py").write_text(FLOOR_APP)
        server, url = start_server(Path(folder))
        try:
            times = []
            for _ in range(runs + 1):  # the first visit warms the server
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                started = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("table:has-text('DUPLICATE of offset 1')", state="attached", timeout=60_000)
                times.append(time.perf_counter() - started)
                context.close()
            return times[1:]
        finally:
            server.terminate()
            server.wait(timeout=10)


def wait_idle(page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    server, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context, page, _ = open_playground(browser, url)  # warm: imports, legacy-pages switch, caches
            wait_idle(page)
            context.close()

            for path in (PLAYGROUND_LINK, PLAYGROUND_BARE):
                times = []
                for _ in range(args.runs):
                    context, page, seconds = open_playground(browser, url, path)
                    times.append(seconds)
                    wait_idle(page)
                    context.close()
                load_a = os.getloadavg()
                print(
                    f"(a) /{path} -> stored-log table rendered: median {statistics.median(times):.2f} s "
                    f"over {args.runs} fresh contexts (min {min(times):.2f}, max {max(times):.2f}; "
                    f"target < 3 s); load average {load_a[0]:.2f} {load_a[1]:.2f} {load_a[2]:.2f}"
                )
                time.sleep(2)

            floor = floor_seconds(browser, args.runs)
            print(
                f"(c) for scale, a one-line Streamlit app (title + small HTML table): median "
                f"{statistics.median(floor):.2f} s (min {min(floor):.2f}, max {max(floor):.2f})"
            )

            time.sleep(2)
            before = rss_mib(server.pid)
            open_sessions = []
            for _ in range(args.sessions):
                context, page, _ = open_playground(browser, url)
                wait_idle(page)
                open_sessions.append(context)
            time.sleep(3)  # let the server settle; the sessions stay open and idle
            after = rss_mib(server.pid)
            load_b = os.getloadavg()
            print(
                f"(b) server RSS {before:.1f} MiB -> {after:.1f} MiB with {args.sessions} idle playground "
                f"sessions: {(after - before) / args.sessions:.2f} MiB per session; "
                f"load average {load_b[0]:.2f} {load_b[1]:.2f} {load_b[2]:.2f}"
            )
            for context in open_sessions:
                context.close()
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
