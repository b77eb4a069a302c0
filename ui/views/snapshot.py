"""The state of a run after `position` events, for stepping through it: the engine's
idemlab.timeline, with "no position" meaning the end of the run."""

from __future__ import annotations

from idemlab import timeline
from idemlab.model import Trace
from idemlab.timeline import Snapshot


def snapshot(trace: Trace, position: int | None = None) -> Snapshot:
    return timeline.snapshot(trace, len(trace.events) if position is None else int(position))
