"""The state of a run after `position` events, for stepping through it.

Uses idemlab.timeline.snapshot when the engine provides it; otherwise a small local
reading of the trace with the same fields, so the views never depend on which.
Pure: no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from idemlab import model as m
from idemlab.outcome import Outcome, summarize_parts

NOTEBOOK_SIZE = 5


@dataclass
class LocalSnapshot:
    position: int
    event: m.Event | None
    stored: list[m.StoredRecord]
    deliveries: list[m.Delivery]
    producer_state: list[dict[str, Any]]
    in_flight: list[m.Event]
    outcome: Outcome
    notes: list[str] = field(default_factory=list)


def clamp(trace: m.Trace, position: int | None) -> int:
    if position is None:
        return len(trace.events)
    return max(0, min(int(position), len(trace.events)))


def snapshot(trace: m.Trace, position: int | None = None):
    position = clamp(trace, position)
    try:
        from idemlab import timeline
    except ImportError:
        return local_snapshot(trace, position)
    return timeline.snapshot(trace, position)


def local_snapshot(trace: m.Trace, position: int) -> LocalSnapshot:
    events = trace.events[:position]
    appended: set[tuple[int, int]] = set()
    notebook: dict[tuple[int, int], dict[str, Any]] = {}
    answered: set[int] = set()
    sent: dict[int, m.Event] = {}
    for event in events:
        if event.kind == m.REQUEST_SENT:
            sent[event.get("request_no")] = event
        elif event.kind in (m.RESPONSE_RECEIVED,):
            answered.add(event.get("request_no"))
        elif event.kind == m.CONNECTION_CLOSED:
            answered.update(sent)
        elif event.kind == m.BROKER_DECISION and event.get("result") == m.APPENDED:
            count = len(event.get("msgs") or event.get("values") or ()) or 1
            base = event.get("base_offset")
            part = event.get("partition") or 0
            appended.update((part, base + i) for i in range(count))
            pid = event.get("producer_id", m.NO_PRODUCER_ID)
            if pid is None or pid < 0:
                continue
            row = notebook.setdefault((part, pid), {
                "partition": part, "producer_id": pid, "producer_epoch": event.get("producer_epoch"),
                "last_sequence": -1, "batches": []})
            if row["producer_epoch"] != event.get("producer_epoch"):
                row.update(producer_epoch=event.get("producer_epoch"), batches=[])
            first_seq = event.get("base_sequence")
            last_seq = event.get("last_sequence", first_seq + count - 1)
            row["last_sequence"] = last_seq
            row["batches"] = (row["batches"] + [(first_seq, last_seq, base, base + count - 1)])[-NOTEBOOK_SIZE:]
    stored = [r for r in trace.stored if (r.partition, r.offset) in appended]
    if position == len(trace.events):
        stored = list(trace.stored)
    deliveries = m.deliveries_until(trace.events, position)
    finished = position == len(trace.events)
    outcome = summarize_parts(stored, deliveries, trace.fatal_error if finished else None,
                              trace.run_error if finished else None)
    return LocalSnapshot(
        position=position, event=events[-1] if events else None, stored=stored,
        deliveries=deliveries, producer_state=list(notebook.values()),
        in_flight=[e for no, e in sent.items() if no not in answered], outcome=outcome)


def row_value(row: Any, name: str, default: Any = None) -> Any:
    """Producer-state rows may be dicts or objects, depending on who made them."""
    if isinstance(row, dict):
        return row.get(name, default)
    return getattr(row, name, default)
