"""Crafted links and a scenario file with markup: the browser sends no request to a
remote host, runs no script, and shows no injected link or image (issue 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from tests.e2e.conftest import COUNT_RUNS, ROOT, _free_port, wait_for_app_run

EVIL = "evil.example"
INVISIBLE = ("\u2060", "\u200b")  # word joiner, zero-width space
HOSTILE_TITLE = (
    f"<img src=http://{EVIL}/t.png onerror=alert(1)> [click](javascript:alert(1)) "
    f"![x](http://{EVIL}/i.png) www.{EVIL} :red[big] $x$"
)
HOSTILE_SCENARIO = f'''title = "{HOSTILE_TITLE}"
summary = "<a href='http://{EVIL}/s'>s</a> ![s](http://{EVIL}/s.png)"
[[step]]
send = ["![v](http://{EVIL}/v.png)", "<img src=http://{EVIL}/w.png>", "[m](javascript:alert(2))"]
[[step]]
flush = true
'''
LINKS = [
    f"playground?scenario=blank&steps={quote(f'send ![x](http://{EVIL}/a.png)')}",
    f"playground?scenario=blank&steps={quote('send [click](javascript:alert(1))')}",
    f"playground?scenario={quote(f'<img src=http://{EVIL}/b.png onerror=alert(1)>')}",
    f"playground?scenario=blank&fault={quote(f'![x](http://{EVIL}/c.png):drop_response')}",
    f"playground?scenario=blank&acks={quote(f'[a](http://{EVIL}/)')}&timeout={quote(f'<img src=//{EVIL}/e>')}",
    f"playground?scenario=blank&steps={quote(f'send www.{EVIL} http://{EVIL}/d')}",
    f"playground?scenario={quote('lost-ack`](http://' + EVIL + ')')}",
    "playground?scenario=hostile",
    "playground?scenario=hostile&step=3",
    # autolinks in text quoted back from the link, with and without invisible characters
    f"compare?scenario=lost-ack&fault={quote(f'1:x www.{EVIL}')}",
    f"compare?scenario=lost-ack&fault={quote(f'1:x https://{EVIL}/p me@{EVIL}')}",
    f"compare?scenario=lost-ack&fault={quote('1:x www' + INVISIBLE[0] + '.' + EVIL + ' www' + INVISIBLE[1] + '.' + EVIL)}",
    f"playground?scenario=blank&steps={quote(f'send WWW.{EVIL} x@{EVIL}')}",
]


@pytest.fixture(scope="module")
def hostile_server():
    """The app with the shipped scenarios plus `hostile` (markup in its title, summary
    and message values), through a sitecustomize that points idemlab at a copy."""
    folder = Path(tempfile.mkdtemp(prefix="idemlab-hostile-"))
    scenarios_dir = folder / "scenarios"
    shutil.copytree(ROOT / "lessons" / "scenarios", scenarios_dir)
    (scenarios_dir / "hostile.toml").write_text(HOSTILE_SCENARIO)
    (folder / "sitecustomize.py").write_text(
        f"import idemlab.scenarios\nidemlab.scenarios.SCENARIO_DIR = __import__('pathlib').Path({str(scenarios_dir)!r})\n"
    )
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("IDEMLAB_CLUSTERS", None)
    log = open(folder / "server.log", "w")  # noqa: SIM115 - open while the server runs
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"),
            *("--server.port", str(port), "--server.address", "127.0.0.1"),
            *("--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    pytest.fail(f"streamlit did not start: {(folder / 'server.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_crafted_links_load_nothing_remote_and_render_no_injected_link(browser, hostile_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(COUNT_RUNS)
    remote: list[str] = []
    dialogs: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            remote.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_server)  # the app's one-time switch to st.navigation
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
    wait_for_app_run(page)
    for link in LINKS:
        page.goto(f"{hostile_server}/{link}")
        page.wait_for_selector("[data-testid='stAppViewContainer']")
        wait_for_app_run(page, settle_ms=600)
        assert page.get_by_test_id("stException").count() == 0, link
        main = page.locator("body")
        injected = main.locator(
            f"a[href*='{EVIL}'], a[href^='javascript:' i], img[src*='{EVIL}'], img[onerror], "
            "[data-testid='stMarkdown'] a[href^='http'], [data-testid='stCaptionContainer'] a[href], "
            "a[href^='mailto:' i]"
        )
        assert injected.count() == 0, (link, injected.first.evaluate("e => e.outerHTML"))
        # Something tells the learner what was refused (a notice or an error), quoting it inertly.
        told = page.get_by_test_id("stAlertContainer")
        assert told.count() >= 1, link
    assert remote == [], remote
    assert dialogs == [], dialogs
    context.close()
