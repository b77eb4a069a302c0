"""A deterministic event scheduler: simulated milliseconds, ties broken by insertion.

Bounded: a run that would process more than `max_actions` scheduled actions, or grow
its event log past `max_events`, stops with WorkLimitReached (idemlab.sim.simulation turns
it into the trace's run_error), so no scenario can keep a server busy indefinitely."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any


class WorkLimitReached(Exception):
    """The run hit its bound on scheduled actions or events; str() says which."""


class Scheduler:
    def __init__(self, max_actions: int | None = None) -> None:
        self.now = 0.0
        self._queue: list[tuple[float, int, Callable[..., Any], tuple]] = []
        self._counter = 0
        self.actions = 0
        self.max_actions = max_actions
        self._events: list | None = None
        self.max_events: int | None = None

    def watch(self, events: list, max_events: int) -> None:
        """Stop the run once `events` holds more than max_events entries."""
        self._events, self.max_events = events, max_events

    def at(self, t_ms: float, action: Callable[..., Any], *args: Any) -> None:
        self._counter += 1
        heapq.heappush(self._queue, (max(t_ms, self.now), self._counter, action, args))

    def after(self, delay_ms: float, action: Callable[..., Any], *args: Any) -> None:
        self.at(self.now + delay_ms, action, *args)

    def run_until(self, done: Callable[[], bool], limit_ms: float) -> bool:
        """Process events until done() or the clock would pass limit_ms.
        Returns whether done() became true.  Raises WorkLimitReached past the bounds."""
        queue, events = self._queue, self._events
        max_actions = self.max_actions if self.max_actions is not None else float("inf")
        max_events = self.max_events if events is not None else float("inf")
        while not done():
            if not queue or queue[0][0] > limit_ms:
                self.now = max(self.now, limit_ms) if queue else self.now
                return done()
            t, _, action, args = heapq.heappop(queue)
            self.now = t
            self.actions += 1
            if self.actions > max_actions:
                raise WorkLimitReached(f"{self.max_actions:,} scheduled actions")
            action(*args)
            if events is not None and len(events) > max_events:
                raise WorkLimitReached(f"{self.max_events:,} events")
        return True

    def advance_to(self, t_ms: float) -> None:
        self.run_until(lambda: False, t_ms)
        self.now = max(self.now, t_ms)
