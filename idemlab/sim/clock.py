"""A deterministic event scheduler: simulated milliseconds, ties broken by insertion."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any


class Scheduler:
    def __init__(self) -> None:
        self.now = 0.0
        self._queue: list[tuple[float, int, Callable[..., Any], tuple]] = []
        self._counter = 0

    def at(self, t_ms: float, action: Callable[..., Any], *args: Any) -> None:
        self._counter += 1
        heapq.heappush(self._queue, (max(t_ms, self.now), self._counter, action, args))

    def after(self, delay_ms: float, action: Callable[..., Any], *args: Any) -> None:
        self.at(self.now + delay_ms, action, *args)

    def run_until(self, done: Callable[[], bool], limit_ms: float) -> bool:
        """Process events until done() or the clock would pass limit_ms.
        Returns whether done() became true."""
        while not done():
            if not self._queue or self._queue[0][0] > limit_ms:
                self.now = max(self.now, limit_ms) if self._queue else self.now
                return done()
            t, _, action, args = heapq.heappop(self._queue)
            self.now = t
            action(*args)
        return True

    def advance_to(self, t_ms: float) -> None:
        self.run_until(lambda: False, t_ms)
        self.now = max(self.now, t_ms)
