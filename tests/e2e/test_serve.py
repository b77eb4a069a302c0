"""`python -m idemlab serve`: two app processes behind HAProxy, sticky by cookie, with
websockets carried through; started and stopped by the one command."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
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


def _both_workers_serve(base: str) -> bool:
    """Four GETs in a row each got a worker's cookie, and both workers' cookies came back."""
    cookies = [_get(base + "/")[1] for _ in range(4)]
    return all("=" in c for c in cookies) and {c.split("=", 1)[1] for c in cookies} == {"w1", "w2"}


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


def _in_own_thread(coroutine, timeout: float = 60):
    """asyncio.run on a thread of its own: Playwright's sync API, used by other browser
    tests in the same process, keeps an event loop running on the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=timeout)


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


RECOVERY_DEADLINE_S = 10  # the promise for a learner whose worker died
BALANCER_DEADLINE_S = 5  # ... and for HAProxy itself


def _until(condition, deadline_s: float, what: str):
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            result = condition()
            if result:
                return result
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"not within {deadline_s} s: {what}")
        time.sleep(0.1)


async def _sessions(base: str, cookies: list[str]) -> list[bool]:
    from websockets.exceptions import WebSocketException

    async def one(cookie: str) -> bool:
        try:
            _worker, elements = await asyncio.wait_for(_websocket_session(base, cookie), 90)
            return elements > 3
        except (OSError, TimeoutError, WebSocketException):  # a failed page run: counted, not raised
            return False

    return list(await asyncio.gather(*(one(c) for c in cookies)))


async def _kill_under_open_sessions(base: str, cookies: list[str], victim: int, victim_name: str) -> int:
    """Every learner's websocket open, then kill -9 of `victim`: how many sockets closed
    (those on the victim; the others are waited on only as long as the victim's)."""
    import websockets

    sockets = [
        await websockets.connect(
            base.replace("http", "ws") + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers={"Cookie": cookie},
            ping_interval=None,
            max_size=None,
        )
        for cookie in cookies
    ]
    on_victim = [ws for ws in sockets if ws.response.headers.get(serve.WORKER_HEADER) == victim_name]
    os.kill(victim, signal.SIGKILL)
    try:
        await asyncio.wait_for(asyncio.gather(*(ws.wait_closed() for ws in on_victim)), 60)
        return sum(1 for ws in sockets if ws.close_code is not None or ws.state.name == "CLOSED")
    finally:
        for ws in sockets:
            await ws.close()


def test_a_killed_worker_or_balancer_is_restarted_and_a_killed_serve_leaves_nothing():
    try:
        serve.find_haproxy()
    except serve.ServeError as exc:
        skip_or_fail(str(exc))
    port = _free_port()
    command = subprocess.Popen(
        [sys.executable, "-m", "idemlab", "serve", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    children: list[int] = []
    try:
        _until(lambda: _get(base + "/_stcore/health"), 180, "serve answers")
        # the balancer answers once one worker is up; a loaded machine starts the other later
        _until(lambda: _both_workers_serve(base), 180, "both workers serve")
        cookies = [_get(base + "/")[1] for _ in range(20)]  # round robin: 10 learners per worker
        assert {c.split("=", 1)[1] for c in cookies} == {"w1", "w2"}
        assert sum(_in_own_thread(_sessions(base, cookies[:4]))) == 4

        w1 = min(_worker_pids(command.pid, exclude=0))  # started first
        dropped = _in_own_thread(_kill_under_open_sessions(base, cookies, w1, "w1"), timeout=120)
        assert dropped == 10  # w1's learners lost their websocket; w2's kept theirs
        # They reconnect: sent to w2 (option redispatch) while serve starts w1 again.
        _until(lambda: _get(base + "/", "IDEMLAB_WORKER=w1")[0] == "w2", RECOVERY_DEADLINE_S, "w1's learner served")
        results = _in_own_thread(_sessions(base, cookies), timeout=300)
        assert sum(results) >= 0.95 * len(results), results
        _until(lambda: _worker_pids(command.pid, exclude=w1), 180, "w1 started again")

        balancer = next(pid for pid in serve.child_pids(command.pid) if "haproxy" in _cmdline(pid))
        os.kill(balancer, signal.SIGKILL)
        _until(lambda: _get(base + "/_stcore/health"), BALANCER_DEADLINE_S, "HAProxy back")
        children = serve.child_pids(command.pid)
        assert len(children) == 3 and balancer not in children
    finally:
        command.kill()  # SIGKILL: no chance to stop its children itself
        command.wait()
    _until(lambda: all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in children), 60, "children gone")
    serve.remove_orphaned_folders()  # what the next start does first
    assert not [
        f for f in Path(serve.tempfile.gettempdir()).glob(serve.FOLDER_PREFIX + "*") if _owned_by(f, command.pid)
    ]


def test_the_next_start_removes_folders_of_serves_that_are_gone(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f"{serve.FOLDER_PREFIX}gone"
    gone.mkdir()
    (gone / serve.OWNER_FILE).write_text(f"{dead.pid} 1")
    alive = tmp_path / f"{serve.FOLDER_PREFIX}alive"
    alive.mkdir()
    (alive / serve.OWNER_FILE).write_text(serve.process_identity(os.getpid()))
    assert serve.remove_orphaned_folders(tmp_path) == [gone]
    assert alive.exists()


def test_the_balancer_redispatches_and_checks_health():
    config = serve.haproxy_config("127.0.0.1", 8501, [serve.Worker("w1", 1001)])
    assert "option redispatch" in config and "option httpchk GET /_stcore/health" in config
    assert "server w1 127.0.0.1:1001 cookie w1 check" in config


def _worker_pids(serve_pid: int, exclude: int) -> list[int]:
    pids = [p for p in serve.child_pids(serve_pid) if "streamlit" in _cmdline(p) and p != exclude]
    return pids if len(pids) == 2 else []


def _owned_by(folder: Path, pid: int) -> bool:
    try:
        return (folder / serve.OWNER_FILE).read_text().split()[0] == str(pid)
    except OSError:
        return False


def test_two_serves_behind_a_third_balancer_are_one_room_with_sticky_learners(tmp_path):
    """How a room grows past one machine: each host runs `serve`; one more balancer in
    front keeps each learner on one host (its own cookie) and carries the websocket."""
    try:
        haproxy = serve.find_haproxy()
    except serve.ServeError as exc:
        skip_or_fail(str(exc))
    ports = [_free_port(), _free_port()]
    front = _free_port()
    rooms = [
        subprocess.Popen(
            [sys.executable, "-m", "idemlab", "serve", "--workers", "1", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    config = tmp_path / "front.cfg"
    config.write_text(front_balancer_config(front, ports))
    balancer = None
    base = f"http://127.0.0.1:{front}"
    try:
        for port in ports:
            _until(lambda port=port: _get(f"http://127.0.0.1:{port}/_stcore/health"), 180, f"serve on {port}")
        balancer = subprocess.Popen([haproxy, "-db", "-f", str(config)], stdout=subprocess.DEVNULL)
        _until(lambda: _get(base + "/_stcore/health"), 30, "the front balancer answers")
        learners = [_host_and_cookies(base + "/") for _ in range(2)]
        assert {host for host, _ in learners} == {"h1", "h2"}  # round robin over the two hosts
        for host, cookies in learners:
            assert all(_host_and_cookies(base + "/playground", cookies)[0] == host for _ in range(3))
            _worker, elements = _in_own_thread(_websocket_session(base, cookies))
            assert elements > 3  # the page ran over the websocket, through both balancers
    finally:
        for process in [balancer, *rooms]:
            if process is not None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def front_balancer_config(front: int, ports: list[int]) -> str:
    """The HAProxy in front of several `serve` hosts: sticky by its own cookie (hN),
    health-checked, redispatching, naming the host in X-Idemlab-Host."""
    return (
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 1h\n    timeout server 1h\n"
        "    timeout tunnel 12h\n"
        f"frontend room\n    bind 127.0.0.1:{front}\n    default_backend hosts\n"
        "backend hosts\n    balance roundrobin\n    option redispatch\n"
        "    cookie IDEMLAB_HOST insert indirect nocache httponly\n"
        "    option httpchk GET /_stcore/health\n"
        "    http-response set-header X-Idemlab-Host %s\n"
        + "".join(f"    server h{i} 127.0.0.1:{port} cookie h{i} check inter 1s\n" for i, port in enumerate(ports, 1))
    )


def _host_and_cookies(url: str, cookies: str = "") -> tuple[str, str]:
    """(front host header, every cookie to send next) of one GET."""
    request = urllib.request.Request(url, headers={"Cookie": cookies} if cookies else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        jar = dict(c.split(";", 1)[0].split("=", 1) for c in answer.headers.get_all("Set-Cookie") or [])
        jar = {**dict(p.split("=", 1) for p in cookies.split("; ") if "=" in p), **jar}
        return answer.headers.get("X-Idemlab-Host"), "; ".join(f"{k}={v}" for k, v in jar.items())
