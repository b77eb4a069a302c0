"""Runs `streamlit run app.py` once per session and drives it with Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.needs import skip_or_fail

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser fixture skips then
    PlaywrightTimeout = TimeoutError

ROOT = Path(__file__).resolve().parents[2]
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
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(script: str = "app.py", cwd: Path = ROOT):
    """`streamlit run <script>` (app.py) on a free loopback port; yields its URL, stops it after."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - open while the server runs; a PIPE could fill and block
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
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
        cwd=cwd,
        env={**os.environ, "IDEMLAB_CLUSTERS": "127.0.0.1:1"},  # an operator-listed cluster nobody answers on
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
            if server.poll() is not None:
                pytest.fail(f"streamlit exited; log: {Path(log.name).read_text()[-2000:]}")
        else:
            pytest.fail(f"streamlit did not answer within 60 s; log: {log.name}")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def base_url():
    with streamlit_server() as url:
        yield url


@pytest.fixture
def fresh_server():
    """A server nobody has visited yet (Streamlit still in its legacy pages/ mode)."""
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("python playwright is not installed")
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Counts the app's finished script runs in the page, so a wait can tell "a run finished
# since the last wait" from "no run started yet" without sleeping.
COUNT_RUNS = """
window.__idlDone = 0;
window.__idlSeen = 0;
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target.getAttribute("data-test-script-state") === "notRunning" && r.oldValue !== "notRunning") window.__idlDone++;
  }
}).observe(document, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"] });
"""
RUN_STARTED = """() => (window.__idlDone || 0) > (window.__idlSeen || 0)
  || !!document.querySelector("[data-testid='stApp'][data-test-script-state='running']")"""
SETTLED = """() => { window.__idlSeen = window.__idlDone || 0;
  return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))); }"""
NO_RUN_MS = 2_000  # how long an action has to start a run before the wait takes it that none will


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def wait_for_app_run(page, settle_ms: int | None = None) -> None:
    """Streamlit's own idiom, on conditions only: a run started (or finished) since the
    last wait, or none starts within NO_RUN_MS; then connected, script not running, no
    skeletons, and two animation frames painted.  `settle_ms` is accepted for old callers
    and unused: nothing here sleeps."""
    del settle_ms
    with contextlib.suppress(PlaywrightTimeout):  # on a time-out the action started no run
        page.wait_for_function(RUN_STARTED, timeout=NO_RUN_MS)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0")
    page.evaluate(SETTLED)


@pytest.fixture
def wait_run():
    return wait_for_app_run


@pytest.fixture(scope="session")
def warmed(browser, base_url):
    """Open the app once so Streamlit leaves its legacy pages/ mode before the tests;
    the first visit itself is tested in test_first_visitor.py."""
    context = browser.new_context()
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.goto(base_url)
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
    wait_for_app_run(page)
    context.close()
    return base_url


@pytest.fixture
def open_url(page, warmed):
    base_url = warmed

    def _open(path: str = "", theme: str | None = None):
        sep = "&" if "?" in path else "?"
        url = f"{base_url}/{path.lstrip('/')}"
        if theme:
            url += f"{sep}embed_options={theme}_theme"
        page.goto(url)
        page.wait_for_selector("[data-testid='stAppViewContainer']")
        wait_for_app_run(page)
        return page

    return _open


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_collection_modifyitems(items):
    """Every test in tests/e2e drives Chromium: `-m browser` selects them, `-m "not browser"`
    leaves them out."""
    e2e = Path(__file__).resolve().parent
    for item in items:
        if e2e in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
