"""Time travel over a trace: what was known after the first `position` events.

A trace is the complete, ordered record of a run, so stepping back and forth, seeking
and forking need no hidden state: a Snapshot is a pure function of (trace, position),
and a fork is a re-run of a changed scenario, which the deterministic simulator turns
into the same prefix.  This module only folds events: what the broker remembers comes
from the back end's own `remembered` and PRODUCER_STATE events (model.py), never from
Kafka's rules re-applied here.
"""

from __future__ import annotations

from dataclasses import dataclass

from idemlab.model import (
    APPENDED,
    BROKER_DECISION,
    CONNECTION_CLOSED,
    INT32_MAX,
    NO_PRODUCER_ID,
    PRODUCER_EXPIRED,
    PRODUCER_STATE,
    REQUEST_SENT,
    RESPONSE_RECEIVED,
    Delivery,
    Event,
    Scenario,
    StoredRecord,
    Trace,
    deliveries_until,
)
from idemlab.outcome import Outcome, duplicates_caught, summarize_parts


@dataclass(frozen=True)
class ProducerStateRow:
    partition: int
    producer_id: int
    producer_epoch: int
    last_sequence: int
    batches: tuple[tuple[int, int, int, int], ...]  # (first_seq, last_seq, first_offset, last_offset)


@dataclass(frozen=True)
class Snapshot:
    position: int
    event: Event | None
    stored: list[StoredRecord]
    deliveries: list[Delivery]
    producer_state: list[ProducerStateRow]
    in_flight: list[Event]
    outcome: Outcome


def snapshot(trace: Trace, position: int) -> Snapshot:
    position = max(0, min(position, len(trace.events)))
    events = trace.events[:position]
    stored: list[StoredRecord] = []
    notebooks: dict[tuple[int, int], tuple[int, list]] = {}
    in_flight: dict[int, Event] = {}
    for event in events:
        d = event.detail
        if event.kind == BROKER_DECISION:
            if d.get("result") == APPENDED:
                stored.extend(_records_of(event))
            if "remembered" in d:
                notebooks[(d["partition"], d["producer_id"])] = (d["producer_epoch"], d["remembered"])
        elif event.kind == PRODUCER_STATE:
            for key in [key for key in notebooks if key[0] == d["partition"]]:
                del notebooks[key]
            for producer in d["producers"]:
                notebooks[(d["partition"], producer["producer_id"])] = (
                    producer["producer_epoch"],
                    producer["remembered"],
                )
        elif event.kind == PRODUCER_EXPIRED:
            notebooks.pop((d["partition"], d["producer_id"]), None)
        elif event.kind == REQUEST_SENT and d.get("api") == "produce":
            in_flight[d["request_no"]] = event
        elif event.kind == RESPONSE_RECEIVED and d.get("api") == "produce":
            in_flight.pop(d["request_no"], None)
        elif event.kind == CONNECTION_CLOSED:
            in_flight.clear()
    if position == len(trace.events) and (trace.stored or not stored):
        stored = list(trace.stored)
    deliveries = deliveries_until(trace.events, position)
    finished = position == len(trace.events)
    outcome = summarize_parts(
        stored,
        deliveries if finished else [d for d in deliveries if d.error != "(no report)"],
        trace.fatal_error if finished else None,
        trace.run_error if finished else None,
        duplicates_caught(events),
        len(deliveries),  # produce() calls so far, reported or not
    )
    rows = [
        ProducerStateRow(p, pid, epoch, batches[-1][1] if batches else -1, tuple(tuple(b) for b in batches))
        for (p, pid), (epoch, batches) in sorted(notebooks.items())
    ]
    return Snapshot(
        position, events[-1] if events else None, stored, deliveries, rows, list(in_flight.values()), outcome
    )


def _records_of(event: Event) -> list[StoredRecord]:
    d = event.detail
    out = []
    for i, (value, msg) in enumerate(zip(d["values"], d.get("msgs") or [None] * len(d["values"]), strict=False)):
        sequence = -1 if d["producer_id"] == NO_PRODUCER_ID else (d["base_sequence"] + i) % (INT32_MAX + 1)
        out.append(
            StoredRecord(
                d["partition"], d["base_offset"] + i, value, None, d["producer_id"], d["producer_epoch"], sequence, msg
            )
        )
    return out


class Timeline:
    """A cursor over a trace: step forward and back, seek, fork."""

    def __init__(self, trace: Trace, position: int = 0) -> None:
        self.trace = trace
        self.position = max(0, min(position, len(trace.events)))

    @property
    def end(self) -> int:
        return len(self.trace.events)

    def forward(self, steps: int = 1) -> Snapshot:
        return self.seek(self.position + steps)

    def back(self, steps: int = 1) -> Snapshot:
        return self.seek(self.position - steps)

    def seek(self, position: int) -> Snapshot:
        self.position = max(0, min(position, self.end))
        return self.current()

    def current(self) -> Snapshot:
        return snapshot(self.trace, self.position)

    def fork(self, scenario: Scenario, run) -> Timeline:
        """Re-run a changed scenario and keep the cursor where it was."""
        return Timeline(run(scenario), self.position)
