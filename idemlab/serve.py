"""`python -m idemlab serve`: several Streamlit app processes behind HAProxy, for a room
of learners.

One Streamlit process runs every script on one core (the GIL), so a room of learners
queues behind one core while the others idle.  `serve` starts N `streamlit run app.py`
workers on free loopback ports and HAProxy (an existing load balancer: Debian's
`haproxy` package) listening on --port, with sticky sessions by cookie: a learner's
first request picks a worker (round robin), the cookie keeps every later request and
the websocket (HAProxy carries the Upgrade) on that worker, where the learner's
session lives.  One command starts and stops it all: Ctrl+C or SIGTERM stops HAProxy
and the workers.

`serve` supervises: a worker or HAProxy that dies is started again on the same port,
with a back-off that doubles on each quick death (RESTART_BACKOFF_S); meanwhile HAProxy's
health checks take a dead worker out of rotation and `option redispatch` sends its
learners to a live one (their progress is in the URL, a class in its store).  Every
child gets PR_SET_PDEATHSIG, so a `serve` killed by SIGKILL leaves no child running, and
the next start removes the temp folders of serves that are gone.

The room's limits hold across its workers (idemlab.room_slots), and its workers share
one local broker, started detached on first use and recorded like `broker start`'s:
`python -m idemlab broker status|stop|kill` manages it, and it outlives `serve`.

HAProxy answers every response with `X-Idemlab-Worker: wN`, so a test or a curious
operator can see which worker served a request.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
HAPROXY_PATHS = ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")
START_TIMEOUT_S = 90.0
COOKIE = "IDEMLAB_WORKER"
FOLDER_PREFIX = "idemlab-serve-"
OWNER_FILE = "serve.owner"
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
STEADY_S = 60.0  # a child that lived this long starts its back-off from the beginning again
_PR_SET_PDEATHSIG = 1
SHARED_BROKER_ENV = "IDEMLAB_SHARED_BROKER"  # idemlab.kafka.clusters reads it (no kafka import here)
WORKER_HEADER = "X-Idemlab-Worker"


class ServeError(RuntimeError):
    """The room cannot be served; str() says why and what to do."""


@dataclass
class Worker:
    name: str
    port: int
    process: subprocess.Popen | None = None


@dataclass
class Child:
    """One supervised process: how to start it, when it last started, its restarts."""

    name: str
    argv: list[str]
    log_name: str
    process: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    quick_deaths: int = 0
    due: float | None = None  # when a dead child is started again


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel sends it SIGTERM when `serve` dies."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: stop() still stops them
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def process_identity(pid: int) -> str | None:
    """'pid start-time' from /proc, so a reused pid is not taken for its old owner."""
    try:
        return f"{pid} {Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[19]}"
    except (OSError, IndexError):
        return None


def remove_orphaned_folders(parent: Path | None = None) -> list[Path]:
    """The temp folders of serves that are no longer running (killed by SIGKILL)."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        owner = folder / OWNER_FILE
        try:
            recorded = owner.read_text().strip()
        except OSError:
            continue  # not ours, or still being created
        pid = recorded.split()[0]
        if not pid.isascii() or not pid.isdigit() or process_identity(int(pid)) != recorded:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def find_haproxy() -> str:
    found = shutil.which("haproxy") or next((p for p in HAPROXY_PATHS if os.access(p, os.X_OK)), None)
    if not found:
        raise ServeError(
            "HAProxy is not installed, and `serve` needs it to share learners between workers "
            "(sticky sessions, websockets). Install it (Debian/Ubuntu: `apt-get install -y haproxy`), "
            "or serve one process with `streamlit run app.py --server.address 127.0.0.1`."
        )
    return found


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc): a serve's workers and balancer."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def haproxy_config(address: str, port: int, workers: list[Worker]) -> str:
    servers = "\n".join(
        f"    server {w.name} 127.0.0.1:{w.port} cookie {w.name} check inter 1s fall 2 rise 1" for w in workers
    )
    return f"""global
    maxconn 4096

defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 12h
    timeout http-request 30s

# Streamlit's scripts and styles (/static/, about 60 files on a first visit, marked
# immutable) are served from HAProxy's memory after the first fetch, so a room opening
# its first page together costs the app processes one script run each, not 60 files.
cache static_files
    total-max-size 128
    max-object-size 8000000
    max-age 86400

frontend lab
    bind {address}:{port}
    default_backend workers

backend workers
    balance roundrobin
    # a learner whose worker died is sent to a live one instead of an error
    option redispatch 1
    retries 3
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-request set-var(txn.static) bool(1) if {{ path_beg /static/ }}
    http-request cache-use static_files if {{ path_beg /static/ }}
    http-response cache-store static_files if {{ var(txn.static) -m bool }}
    http-response set-header {WORKER_HEADER} %s
{servers}
"""


def _streamlit_argv(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
            return answer.read() == b"ok"
    except OSError:
        return False


class Room:
    """The workers and the balancer; start() then wait(); stop() always."""

    def __init__(self, workers: int, port: int, address: str = "127.0.0.1", quiet: bool = False) -> None:
        if workers < 1:
            raise ServeError(f"--workers {workers}: at least 1")
        self.haproxy = find_haproxy()
        self.address, self.port, self.quiet = address, port, quiet
        self.workers = [Worker(f"w{i}", free_port()) for i in range(1, workers + 1)]
        self.balancer: subprocess.Popen | None = None
        remove_orphaned_folders()
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        (self.folder / OWNER_FILE).write_text(process_identity(os.getpid()) or str(os.getpid()))
        self.children: dict[str, Child] = {}
        self.crashed = False
        self._logs: list = []

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def _spawn(self, argv: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.folder / log_name, "a")  # noqa: SIM115 - open while the child runs
        self._logs.append(log)
        return subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, SHARED_BROKER_ENV: "host"},  # the workers share one local broker
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # only a prctl call between fork and exec
        )

    def _start_child(self, name: str, argv: list[str], log_name: str) -> subprocess.Popen:
        child = self.children.setdefault(name, Child(name, argv, log_name))
        child.process = self._spawn(argv, log_name)
        child.started, child.due = time.monotonic(), None
        return child.process

    def start(self) -> None:
        if _answers(self.address, self.port):
            raise ServeError(f"{self.address}:{self.port} is in use; choose another --port")
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy_config(self.address, self.port, self.workers))
        check = subprocess.run([self.haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise ServeError(f"HAProxy refused its configuration: {(check.stdout + check.stderr).strip()[:400]}")
        for worker in self.workers:
            worker.process = self._start_child(
                f"worker {worker.name}", _streamlit_argv(worker.port), f"{worker.name}.log"
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = list(self.workers)
        while waiting:
            for worker in list(waiting):
                if worker.process.poll() is not None:
                    raise ServeError(
                        f"worker {worker.name} exited while starting; its log: {self.folder / (worker.name + '.log')}"
                    )
                if _healthy(worker.port):
                    waiting.remove(worker)
            if waiting and time.monotonic() > deadline:
                raise ServeError(
                    f"workers {', '.join(w.name for w in waiting)} did not start within {START_TIMEOUT_S} s"
                )
            if waiting:
                time.sleep(0.3)
        self.balancer = self._start_child("HAProxy", [self.haproxy, "-db", "-f", str(config)], "haproxy.log")
        while not _answers(self.address, self.port):
            if self.balancer.poll() is not None:
                log = (self.folder / "haproxy.log").read_text()[-400:]
                raise ServeError(f"HAProxy could not listen on {self.address}:{self.port}: {log.strip()}")
            if time.monotonic() > deadline:
                raise ServeError(f"HAProxy did not answer on {self.address}:{self.port}")
            time.sleep(0.1)
        self._say(
            f"Serving the lab at http://{self.address}:{self.port} — {len(self.workers)} worker(s) on "
            f"127.0.0.1:{', '.join(str(w.port) for w in self.workers)} behind HAProxy (sticky sessions). "
            "Ctrl+C stops them all."
        )

    def wait(self) -> int:
        """Supervise until SIGINT or SIGTERM (then 0): a child that exits is started again."""
        stop = {"signal": None}

        def on_signal(signum, _frame):
            stop["signal"] = signum

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            while stop["signal"] is None:
                self.supervise_once()
                time.sleep(0.2)
            return 0
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def supervise_once(self) -> None:
        """Restart, after its back-off, every child that has exited."""
        now = time.monotonic()
        for child in self.children.values():
            if child.process is None or child.process.poll() is None:
                continue
            if child.due is None:
                lived = now - child.started
                child.quick_deaths = 0 if lived >= STEADY_S else child.quick_deaths + 1
                delay = (
                    RESTART_BACKOFF_S[min(child.quick_deaths, len(RESTART_BACKOFF_S)) - 1] if child.quick_deaths else 0
                )
                child.due = now + delay
                self.crashed = True
                self._say(
                    f"{child.name} exited (status {child.process.returncode}); starting it again in {delay:g} s. "
                    f"Its log: {self.folder / child.log_name}"
                )
            if now >= child.due:
                child.restarts += 1
                process = self._start_child(child.name, child.argv, child.log_name)
                if child.name == "HAProxy":
                    self.balancer = process
                else:
                    next(w for w in self.workers if f"worker {w.name}" == child.name).process = process

    def _processes(self) -> list[tuple[str, subprocess.Popen]]:
        out = [(f"worker {w.name}", w.process) for w in self.workers if w.process is not None]
        return out + ([("HAProxy", self.balancer)] if self.balancer is not None else [])

    def stop(self) -> None:
        processes = [p for _, p in self._processes()]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self._logs:
            log.close()
        if self.crashed:  # the logs it named stay where it said they are
            (self.folder / OWNER_FILE).unlink(missing_ok=True)
            self._say(f"Logs kept in {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def _answers(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def serve(workers: int | None, port: int, address: str = "127.0.0.1") -> int:
    """The `serve` command: 0 after Ctrl+C or SIGTERM, 2 if it could not start."""
    try:
        room = Room(workers or os.cpu_count() or 1, port, address)
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        room.start()
        return room.wait()
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        room.stop()
