"""`python -m idemlab serve`: two app processes behind HAProxy, sticky by cookie, with
websockets carried through; started and stopped by the one command."""

from __future__ import annotations

import asyncio
import concurrent.futures
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from idemlab import serve
from tests.e2e.conftest import _free_port
from tests.needs import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str, cookie: str = "") -> tuple[str, str]:
    """(worker header, sticky cookie) of one HTTP GET."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        set_cookie = [c.split(";", 1)[0] for c in answer.headers.get_all("Set-Cookie") or [] if "IDEMLAB_WORKER" in c]
        return answer.headers.get(serve.WORKER_HEADER), (set_cookie[0] if set_cookie else cookie)


async def _websocket_session(base: str, cookie: str) -> tuple[str, int]:
    """Open the websocket with the cookie, run the home page once: (worker, elements)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with websockets.connect(
        base.replace("http", "ws") + "/_stcore/stream",
        subprotocols=["streamlit"],
        additional_headers={"Cookie": cookie},
        ping_interval=None,
        max_size=None,
    ) as ws:
        worker = ws.response.headers.get(serve.WORKER_HEADER)
        message = BackMsg()
        message.rerun_script.page_name = ""
        await ws.send(message.SerializeToString())
        elements = 0
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(ws.recv(), 60))
            if forward.WhichOneof("type") == "delta":
                elements += 1
            if forward.WhichOneof("type") == "script_finished" and forward.script_finished == 0:
                return worker, elements


def test_two_workers_behind_haproxy_serve_sticky_sessions_and_stop_together():
    try:
        serve.find_haproxy()
    except serve.ServeError as exc:
        skip_or_fail(str(exc))
    port = _free_port()
    command = subprocess.Popen(
        [sys.executable, "-m", "idemlab", "serve", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(base + "/_stcore/health")
                break
            except OSError:
                if command.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"serve did not come up: {command.stdout.read() if command.poll() is not None else ''}")
                time.sleep(0.5)
        workers = [c for c in serve.child_pids(command.pid) if "streamlit" in _cmdline(c)]
        assert len(workers) == 2

        # Two learners, no cookie yet: round robin gives each a worker and a cookie.
        first, cookie_a = _get(base + "/")
        second, cookie_b = _get(base + "/")
        assert {first, second} == {"w1", "w2"}
        assert cookie_a.startswith("IDEMLAB_WORKER=") and cookie_b.startswith("IDEMLAB_WORKER=")
        # Each session sticks: more pages and the websocket go to its worker.
        for _ in range(4):
            assert _get(base + "/playground", cookie_a)[0] == first
            assert _get(base + "/", cookie_b)[0] == second
        ws_a, elements_a = _in_own_thread(_websocket_session(base, cookie_a))
        ws_b, elements_b = _in_own_thread(_websocket_session(base, cookie_b))
        assert (ws_a, ws_b) == (first, second)
        assert elements_a > 3 and elements_b > 3  # the app really ran, over the websocket
    finally:
        command.send_signal(signal.SIGTERM)
        try:
            command.wait(30)
        except subprocess.TimeoutExpired:
            command.kill()
            command.wait()
    assert command.returncode == 0
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in workers)


def _in_own_thread(coroutine):
    """asyncio.run on a thread of its own: Playwright's sync API, used by other browser
    tests in the same process, keeps an event loop running on the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


def test_a_missing_balancer_gives_a_clear_message(monkeypatch, capsys):
    monkeypatch.setattr(serve.shutil, "which", lambda name: None)
    monkeypatch.setattr(serve, "HAPROXY_PATHS", ())
    assert serve.serve(2, _free_port()) == 2
    err = capsys.readouterr().err
    assert "HAProxy is not installed" in err and "apt-get install -y haproxy" in err


def test_the_balancer_config_is_sticky_and_carries_websockets():
    config = serve.haproxy_config("127.0.0.1", 8501, [serve.Worker("w1", 1001), serve.Worker("w2", 1002)])
    assert "cookie IDEMLAB_WORKER insert" in config and "timeout tunnel" in config
    assert "server w1 127.0.0.1:1001 cookie w1" in config and "bind 127.0.0.1:8501" in config


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
