"""Run slow work (a real-broker run, a cost measurement) in a worker thread while the
page shows a live progress line: events seen so far and elapsed seconds.

The worker never touches Streamlit; it only bumps a counter.  The job is kept in a
registry keyed by this session's id, so a rerun that interrupts the progress loop (a
click elsewhere) picks the same job up instead of starting a second run.  Results go
to st.session_state: per learner, never shared between sessions.

Server-wide limits protect the room: at most IDEMLAB_MAX_REAL_RUNS jobs (default 2) run
at once across all of the room's worker processes (idemlab.room_slots), the others wait in a first-come queue whose position the progress line shows,
and at most IDEMLAB_MAX_QUEUE (default 20) wait; past that a new run is refused at once
with a message.  (Dedicated clusters have their own limit in idemlab.kafka.clusters.)"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from idemlab.room_slots import Slots

POLL_S = 0.25
FORGET_AFTER_S = 600  # finished jobs nobody collected (the tab closed) are dropped


class LabBusy(RuntimeError):
    """The queue of real runs is full; str() says so in a learner's words."""


def _env_int(name: str, default: int, low: int = 1) -> int:
    try:
        return max(low, int(os.environ.get(name, default)))
    except ValueError:
        return default


def max_runs() -> int:
    return _env_int("IDEMLAB_MAX_REAL_RUNS", 2)


def max_queue() -> int:
    return _env_int("IDEMLAB_MAX_QUEUE", 20, low=0)


@dataclass
class Job:
    started: float = field(default_factory=time.monotonic)
    events: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    finished: float | None = None

    @property
    def queue_position(self) -> int:
        """1 for the next job to run, 0 when running (or not limited)."""
        with _SLOTS:
            return _WAITING.index(self) + 1 if self in _WAITING else 0

    def count(self, _event: Any = None) -> None:
        self.events += 1  # one writer thread; a torn read only delays the display

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


_JOBS: dict[tuple[str, str], Job] = {}
_LOCK = threading.Lock()
_SLOTS = threading.Condition()
_WAITING: list[Job] = []  # this process's queue, first come first served
REAL_RUNS = Slots("real-runs", max_runs)  # the room's slots, shared by its processes


def _wait_for_slot(job: Job) -> None:
    with _SLOTS:
        while not (_WAITING and _WAITING[0] is job and REAL_RUNS.try_take()):
            _SLOTS.wait(0.2)  # another process's run may end: look again
        _WAITING.pop(0)
        _SLOTS.notify_all()


def _free_slot() -> None:
    with _SLOTS:
        REAL_RUNS.give_back()
        _SLOTS.notify_all()


def load() -> tuple[int, int]:
    """(real runs running now in the whole room, runs waiting in this process)."""
    with _SLOTS:
        return REAL_RUNS.in_use(), len(_WAITING)


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
            job = Job()
            with _SLOTS:
                in_use = REAL_RUNS.in_use()
                if len(_WAITING) >= max_queue() and max_runs() <= in_use:
                    return on_error(
                        LabBusy(
                            f"The lab is busy: {in_use} real runs are running and {len(_WAITING)} are "
                            "waiting, the most this server takes. Try again in a minute, or use the "
                            "simulated broker."
                        )
                    )
                _WAITING.append(job)
            _JOBS[(sid, key)] = job

            def worker() -> None:
                slot_taken = False
                try:
                    _wait_for_slot(job)
                    slot_taken = True
                    job.result = work(job.count)
                except Exception as exc:  # noqa: BLE001 - whatever failed is this learner's result, shown by on_error
                    job.result = on_error(exc)
                finally:
                    if slot_taken:
                        _free_slot()
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
