"""Run slow work (a real-broker run, a cost measurement) in a worker thread while the
page shows a live progress line: events seen so far and elapsed seconds.

The worker never touches Streamlit; it only bumps a counter.  The job is kept in a
registry keyed by this session's id, so a rerun that interrupts the progress loop (a
click elsewhere) picks the same job up instead of starting a second run.  Results go
to st.session_state: per learner, never shared between sessions."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

POLL_S = 0.25
FORGET_AFTER_S = 600  # finished jobs nobody collected (the tab closed) are dropped


@dataclass
class Job:
    started: float = field(default_factory=time.monotonic)
    events: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    finished: float | None = None

    def count(self, _event: Any = None) -> None:
        self.events += 1  # one writer thread; a torn read only delays the display

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


_JOBS: dict[tuple[str, str], Job] = {}
_LOCK = threading.Lock()


def _session_id() -> str:
    """This browser session's own id, kept in its session state (key `live.session`)."""
    if "live.session" not in st.session_state:
        st.session_state["live.session"] = uuid.uuid4().hex
    return st.session_state["live.session"]


def _forget_stale() -> None:
    now = time.monotonic()
    for key in [k for k, job in _JOBS.items() if job.finished and now - job.finished > FORGET_AFTER_S]:
        del _JOBS[key]


def running(key: str) -> bool:
    with _LOCK:
        job = _JOBS.get((_session_id(), key))
    return job is not None and not job.done.is_set()


def run(
    key: str,
    work: Callable[[Callable[[Any], None]], Any],
    describe: Callable[[Job], str],
    on_error: Callable[[BaseException], Any],
) -> Any:
    """Run `work(count)` once per (session, key) with a progress indicator; return its
    result, or on_error(exc) if it raised.  `describe(job)` gives the progress line."""
    sid = _session_id()
    with _LOCK:
        _forget_stale()
        job = _JOBS.get((sid, key))
        if job is None:
            job = _JOBS[(sid, key)] = Job()

            def worker() -> None:
                try:
                    job.result = work(job.count)
                except Exception as exc:  # noqa: BLE001 - whatever failed is this learner's result, shown by on_error
                    job.result = on_error(exc)
                finally:
                    job.finished = time.monotonic()
                    job.done.set()

            threading.Thread(target=worker, name=f"idemlab-{key[:40]}", daemon=True).start()
    slot = st.empty()
    for _ in range(3):  # blank the last run's elements below (a stale "Run" button reads as clickable)
        st.empty()
    with slot.status(describe(job), expanded=False) as status:
        while not job.done.wait(POLL_S):
            status.update(label=describe(job))
    slot.empty()
    with _LOCK:
        _JOBS.pop((sid, key), None)
    return job.result
