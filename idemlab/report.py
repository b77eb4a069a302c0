"""A Trace as JSON, as pandas DataFrames, and as a readable account for the terminal."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from idemlab.model import (
    BROKER_DECISION,
    CONNECTION_CLOSED,
    DELIVERY_REPORT,
    EPOCH_BUMP,
    FATAL_ERROR,
    FAULT_INJECTED,
    PRODUCE_CALLED,
    PRODUCER_ID_ASSIGNED,
    PRODUCER_RESTART,
    REQUEST_SENT,
    RESPONSE_RECEIVED,
    RUN_ERROR,
    StoredRecord,
    Trace,
)
from idemlab.outcome import summarize

STORED_COLUMNS = ["partition", "offset", "value", "key", "producer_id", "producer_epoch", "sequence", "msg"]
EVENT_COLUMNS = [
    "t_ms",
    "kind",
    "api",
    "request_no",
    "attempt",
    "partition",
    "producer_id",
    "producer_epoch",
    "base_sequence",
    "record_count",
    "values",
    "result",
    "base_offset",
    "offset",
    "error",
    "action",
    "msg",
    "value",
]


def to_dict(trace: Trace, include_events: bool = False) -> dict[str, Any]:
    outcome = summarize(trace)
    data: dict[str, Any] = {
        "scenario": trace.scenario,
        "backend": trace.backend,
        "config": trace.config,
        "stored": [
            {
                "partition": r.partition,
                "offset": r.offset,
                "key": r.key,
                "value": r.value,
                "producer_id": r.producer_id,
                "producer_epoch": r.producer_epoch,
                "sequence": r.sequence,
            }
            for r in trace.stored
        ],
        "deliveries": [
            {"value": d.value, "partition": d.partition, "error": d.error, "offset": d.offset} for d in trace.deliveries
        ],
        "duplicates": outcome.duplicates,
        "lost": outcome.lost,
        "reordered": outcome.reordered,
        "failed_but_stored": len(outcome.failed_but_stored),
        "delivered_but_not_stored": len(outcome.delivered_but_not_stored),
        "fatal_error": trace.fatal_error,
        "run_error": trace.run_error,
        "summary": outcome.sentence(),
    }
    if include_events:
        data["events"] = [e.to_dict() for e in trace.events]
    return data


def to_json(trace: Trace, include_events: bool = False) -> str:
    return json.dumps(to_dict(trace, include_events), indent=2, default=str)


def stored_frame(stored: list[StoredRecord]) -> pd.DataFrame:
    return pd.DataFrame([r.to_dict() for r in stored], columns=STORED_COLUMNS)


def events_frame(trace: Trace) -> pd.DataFrame:
    rows = []
    for i, event in enumerate(trace.events):
        row = {"#": i + 1, **event.to_dict()}
        for key in ("values", "msgs"):
            if isinstance(row.get(key), list):
                row[key] = ", ".join(str(v) for v in row[key])
        rows.append(row)
    columns = ["#", *EVENT_COLUMNS]
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame:
            frame[column] = None
    extra = [c for c in frame.columns if c not in columns]
    return frame[columns + extra]


def to_csv(trace: Trace) -> str:
    return events_frame(trace).to_csv(index=False)


def describe(event) -> str:
    """One line, in Kafka terms, for the terminal account and the event list."""
    d = event.detail
    kind = event.kind
    if kind == PRODUCE_CALLED:
        return f"app: produce({d['value']!r}) -> partition {d['partition']}"
    if kind == REQUEST_SENT and d.get("api") == "produce":
        seq = (
            ""
            if d["producer_id"] < 0
            else f" PID {d['producer_id']} epoch {d['producer_epoch']} seq {d['base_sequence']}"
        )
        return f"wire: Produce #{d['request_no']} (attempt {d.get('attempt', '?')}) [{', '.join(d['values'])}]{seq}"
    if kind == REQUEST_SENT:
        return f"wire: InitProducerId #{d['request_no']}"
    if kind == FAULT_INJECTED:
        extra = f" {d['error']}" if d.get("error") else ""
        extra += f" {d['delay_ms']} ms" if d.get("delay_ms") else ""
        return f"fault: {d['action']}{extra} on {d['api']} #{d['request_no']}"
    if kind == BROKER_DECISION:
        if d["result"] == "rejected":
            return f"broker: rejected Produce #{d['request_no']} with {d['error']}"
        if d["result"] == "duplicate":
            return f"broker: duplicate of offset {d['base_offset']}, not stored again (Produce #{d['request_no']})"
        return f"broker: stored [{', '.join(d['values'])}] at offset {d['base_offset']} (Produce #{d['request_no']})"
    if kind == DELIVERY_REPORT:
        return f"app: delivery report {d['value']!r}: " + (d["error"] or f"delivered at offset {d['offset']}")
    if kind == PRODUCER_ID_ASSIGNED:
        return f"producer: got PID {d['producer_id']} epoch {d['producer_epoch']}"
    if kind == EPOCH_BUMP:
        return f"producer: epoch {d['from_epoch']} -> {d['to_epoch']} ({d['reason']})"
    if kind == FATAL_ERROR:
        return f"producer: FATAL {d['error']}: {d['message']}"
    if kind == RESPONSE_RECEIVED and d.get("api") == "produce":
        answer = d["error"] or f"ok, base offset {d['base_offset']}"
        return f"wire: answer to Produce #{d['request_no']}: {answer}"
    if kind == RESPONSE_RECEIVED:
        answer = d["error"] or f"PID {d['producer_id']} epoch {d['producer_epoch']}"
        return f"wire: answer to InitProducerId #{d['request_no']}: {answer}"
    if kind == CONNECTION_CLOSED:
        return f"wire: connection to broker {d['broker']} closed ({d['reason']})"
    if kind == PRODUCER_RESTART:
        return "app: producer closed and created again"
    if kind == RUN_ERROR:
        return f"run stopped: {d['message']}"
    parts = ", ".join(f"{k}={v}" for k, v in d.items() if v is not None)
    return f"{kind}: {parts}" if parts else kind


def account(trace: Trace, with_events: bool = True) -> str:
    lines = [f"Scenario {trace.scenario} on back end {trace.backend}"]
    if with_events:
        lines += [f"{e.t_ms:10.1f} ms  {describe(e)}" for e in trace.events]
    lines.append("Stored log:")
    for r in trace.stored:
        ids = (
            "no producer id" if r.producer_id < 0 else f"PID {r.producer_id} epoch {r.producer_epoch} seq {r.sequence}"
        )
        lines.append(f"  p{r.partition} offset {r.offset}: {r.value}  ({ids})")
    if not trace.stored:
        lines.append("  (empty)")
    lines.append("Outcome: " + summarize(trace).sentence())
    return "\n".join(lines)
