"""Seconds from choosing "Sequence diagram" to the diagram drawn, in Debian's Chromium,
each time in a fresh browser context (a learner's first opening: nothing cached):

(a) the lab's playground (lost-ack link, the run drawn), the diagram as HTML
    (ui/views/sequence_html.py);
(b) for scale, the same run drawn as the plotly figure the page used before
    (ui/views/sequence_figure.py) by a small Streamlit app on the same machine: the
    first plotly chart of a session fetches and compiles Plotly's 4.6 MB script.

    python benchmarks/sequence_diagram_browser.py [--runs 5] [--before REV]

--before REV also measures (a) on an earlier commit (its tree taken with git archive),
to tell a slower version from a busier machine.  Every server is warmed by one visit
first, then the openings alternate between them round by round, so each sees the same
load.  The load average is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.app_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, start_server

PLAYGROUND = "playground?scenario=lost-ack&idem=0"
HTML_DIAGRAM = "figure.idl-seq li:last-child"
PLOTLY_DIAGRAM = "[data-testid='stPlotlyChart'] .main-svg text"

PLOTLY_APP = f"""import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from idemlab import backends, scenarios
from ui.views.sequence_figure import sequence_figure

trace = backends.run(scenarios.load({str(ROOT / "lessons" / "scenarios" / "lost-ack.toml")!r}), "sim")
st.title("Plotly for scale")
if st.segmented_control("More pictures of the run", ["Sequence diagram"]) == "Sequence diagram":
    st.plotly_chart(sequence_figure(trace), config={{"displayModeBar": False, "responsive": True}})
"""


def wait_idle(page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0")


def opening_seconds(browser, url: str, drawn: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("[data-testid='stButtonGroup']", timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(500)
    started = time.perf_counter()
    page.get_by_test_id("stButtonGroup").get_by_text("Sequence diagram", exact=True).click()
    page.wait_for_selector(drawn, state="visible", timeout=60_000)
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def measure(browser, sides: dict[str, tuple[Path, str, str]], runs: int) -> dict[str, list[float]]:
    """Seconds per side (root, path, drawn selector), the sides alternating round by round."""
    servers, urls = [], {}
    try:
        for label, (root, path, _) in sides.items():
            server, url = start_server(root)
            servers.append(server)
            urls[label] = f"{url}/{path}"
        for label, (_, _, drawn) in sides.items():
            opening_seconds(browser, urls[label], drawn)  # warm: imports, caches
        times: dict[str, list[float]] = {label: [] for label in sides}
        for _ in range(runs):
            for label, (_, _, drawn) in sides.items():
                times[label].append(opening_seconds(browser, urls[label], drawn))
        return times
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def extract(rev: str, folder: Path) -> Path:
    """The tree of commit `rev`, written into `folder`."""
    folder.mkdir()
    archive = subprocess.run(["git", "archive", rev], capture_output=True, check=True, cwd=ROOT)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def line(label: str, times: list[float]) -> str:
    return f"{label}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also measure (a) at this earlier commit, alongside")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        plotly_root = Path(folder) / "plotly"
        plotly_root.mkdir()
        (plotly_root / "app.py").write_text(PLOTLY_APP)
        sides = {
            "(a) the playground's diagram, HTML": (ROOT, PLAYGROUND, HTML_DIAGRAM),
            "(b) for scale, the same run as the former plotly chart": (plotly_root, "", PLOTLY_DIAGRAM),
        }
        if args.before:
            earlier = extract(args.before, Path(folder) / "earlier")
            sides[f"(a) at {args.before}"] = (earlier, PLAYGROUND, HTML_DIAGRAM)
        times = measure(browser, sides, args.runs)
        browser.close()
    load = os.getloadavg()
    print(f"first opening of the sequence diagram, {args.runs} fresh browser contexts each (target < 1 s):")
    for label, seconds in times.items():
        print(line(label, seconds))
    print(f"load average {load_before[0]:.2f} before; after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
