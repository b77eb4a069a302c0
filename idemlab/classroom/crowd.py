"""A crowd of learners on one class, driven through the store as the app drives it:
several app processes (Streamlit workers), each running many learner sessions at once
on threads (Streamlit runs each session's script on a thread).  Used by the contention
test (small) and benchmarks/class_crowd.py (a full room).

A learner joins (the class is looked up, the answers given so far are sent in one
action, the class's summary is read, as the join page does), then sends its answers one
action at a time; every answer the store acknowledged (returned without error) must be
read back afterwards.  Errors are collected as the sentence a learner would see.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from idemlab.classroom import ClassError, new_learner, open_store
from idemlab.classroom.model import JOINED


@dataclass
class CrowdResult:
    acknowledged: dict[tuple[str, str], int] = field(default_factory=dict)  # (learner, question) -> choice
    errors: list[str] = field(default_factory=list)
    join_s: list[float] = field(default_factory=list)
    answer_s: list[float] = field(default_factory=list)

    def merge(self, other: CrowdResult) -> None:
        self.acknowledged.update(other.acknowledged)
        self.errors += other.errors
        self.join_s += other.join_s
        self.answer_s += other.answer_s


def question(i: int) -> str:
    """The i-th answer of a learner: a prediction, a check or a second try of a lesson."""
    kinds = ("p", "c0", "c1", "c2", "r")
    return f"{i // len(kinds) + 1}.{kinds[i % len(kinds)]}"


def _learner(store, code: str, answers: int, seed: int, result: CrowdResult) -> None:
    learner = new_learner()
    try:
        started = time.perf_counter()
        if store.get_class(code) is None:
            raise ClassError("There is no open class with that code.")
        store.submit_many(code, learner, {JOINED: 1, question(0): seed % 4})
        store.summary(code)
        result.join_s.append(time.perf_counter() - started)
        result.acknowledged[(learner, question(0))] = seed % 4
        for i in range(1, answers):
            choice = (seed + i) % 4
            started = time.perf_counter()
            store.submit(code, learner, question(i), choice)
            result.answer_s.append(time.perf_counter() - started)
            result.acknowledged[(learner, question(i))] = choice
    except ClassError as exc:
        result.errors.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - what would have been a traceback in the page
        result.errors.append(f"UNCAUGHT {type(exc).__name__}: {exc}")


def one_process(settings: Mapping[str, str], code: str, learners: int, answers: int, threads: int, seed: int):
    """One app process: `learners` sessions, `threads` of them at once."""
    store = open_store(dict(settings))
    result = CrowdResult()
    with ThreadPoolExecutor(threads) as pool:
        for n in range(learners):
            pool.submit(_learner, store, code, answers, seed + n, result)
    store.close()
    return result


def run(settings: Mapping[str, str], code: str, learners: int, answers: int, at_once: int, processes: int):
    """The crowd on `processes` processes, `at_once` learners active at any time in all."""
    per_process = [learners // processes + (1 if p < learners % processes else 0) for p in range(processes)]
    threads = max(1, at_once // processes)
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        jobs = [
            pool.apply_async(one_process, (dict(settings), code, count, answers, threads, 1000 * p))
            for p, count in enumerate(per_process)
        ]
        parts = [job.get() for job in jobs]
    total = CrowdResult()
    for part in parts:
        total.merge(part)
    return total


def stored_answers(store, code: str) -> int:
    return sum(1 for a in store.answers(code) if a.question != JOINED)


def lost(store, code: str, result: CrowdResult) -> list[tuple[str, str]]:
    """Acknowledged answers the store does not give back as acknowledged."""
    stored = {(a.learner, a.question): a.choice for a in store.answers(code)}
    return [key for key, choice in result.acknowledged.items() if stored.get(key) != choice]
