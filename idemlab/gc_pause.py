"""Pause Python's cyclic garbage collector around bulk work.

A simulated run or a JSON document of a large trace allocates millions of short-lived
objects without reference cycles; the collector's repeated scans of the growing heap
cost more than half the time of a large run (measured with benchmarks/sim_throughput.py
and benchmarks/cli_json.py), while reference counting frees all that matters.
Concurrent callers (several learners) leave it enabled in the end whatever the
interleaving.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
