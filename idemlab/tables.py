"""Every table of a run, in one place: the learner's views (stored log, producer state,
deliveries, events: each problem flagged in words in its own column) and the raw event
table the CSV download and `--csv` write.  Pure: no streamlit; ui/views/row_tints.py
colours the rows to match the words."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from idemlab import model as m
from idemlab import words
from idemlab.client_names import Failure, delivery_failures, report_words
from idemlab.outcome import reordered_msgs, repeats
from idemlab.timeline import ProducerStateRow, State

STORED_COLUMNS = ["partition", "offset", "value", "message", "PID", "epoch", "sequence", "check"]


def stored_log_frame(stored: Iterable[m.StoredRecord], names: dict[int, str] | None = None) -> pd.DataFrame:
    """The partition log; the "message" column names each record's letter (its value,
    or "m2 (sent again)" for an application re-send: words.letter_names(trace.events)
    when given, otherwise worked out from the records)."""
    records = sorted(stored, key=lambda r: (r.partition, r.offset))
    if names is None:
        names = words.names_in_order(
            (r.msg, r.value) for r in sorted(records, key=lambda r: (r.msg is None, r.msg or 0))
        )
    repeated = repeats(records)
    late = set(reordered_msgs(records))
    rows = []
    for r in records:
        check = "ok"
        first = repeated.get((r.partition, r.offset))
        if first is not None:
            check = f"DUPLICATE of offset {first.offset} ({words.letter(r.msg, r.value, names)} stored twice)"
        elif r.msg in late:
            check = f"OUT OF ORDER: {words.letter(r.msg, r.value, names)} stored after a later message"
        rows.append(
            {
                "partition": r.partition,
                "offset": r.offset,
                "value": r.value,
                "message": words.letter(r.msg, r.value, names) if r.msg is not None else "?",
                # -1 is what the record batch really carries when the producer has no id
                "PID": r.producer_id if r.producer_id >= 0 else "-1 (none)",
                "epoch": r.producer_epoch if r.producer_id >= 0 else "-1",
                "sequence": r.sequence if r.sequence >= 0 else "-1 (none)",
                "check": check,
            }
        )
    return pd.DataFrame(rows, columns=STORED_COLUMNS)


def producer_state_frame(rows: Iterable[ProducerStateRow]) -> pd.DataFrame:
    out = []
    for row in rows:
        out.append(
            {
                "partition": row.partition,
                "PID": row.producer_id,
                "epoch": row.producer_epoch,
                "last sequence": row.last_sequence,
                "remembered batches (seq → offsets), oldest first": "; ".join(
                    f"seq {words.span(b[0], b[1])} → offset {words.span(b[2], b[3])}" for b in row.batches
                )
                or "none",
            }
        )
    return pd.DataFrame(
        out, columns=["partition", "PID", "epoch", "last sequence", "remembered batches (seq → offsets), oldest first"]
    )


def deliveries_frame(
    deliveries: Iterable[m.Delivery], stored: Iterable[m.StoredRecord], state: State | None = None
) -> pd.DataFrame:
    """With the run's fold (`state`), a failed report of the Java client says which broker
    error its exception stands for and, on a line of its own, the exception's message."""
    deliveries = list(deliveries)
    failures = delivery_failures(state) if state is not None else {}
    names = words.names_in_order((d.msg, d.value) for d in deliveries)
    offsets: dict[int, list[int]] = {}
    for r in stored:
        offsets.setdefault(r.msg, []).append(r.offset)
    rows = []
    for d in deliveries:
        where = offsets.get(d.msg, [])
        report = (
            f"delivered {words.offset_words(d.offset)}"
            if d.ok
            else "no report yet"
            if d.error == m.NO_REPORT
            else _failed_words(d.error, failures.get(d.msg))
        )
        if d.ok and not where:
            verdict = "REPORTED DELIVERED BUT NOT STORED"
        elif d.error not in (None, m.NO_REPORT) and where:
            verdict = "REPORTED FAILED BUT STORED"
        elif len(where) > 1:
            verdict = f"STORED {len(where)} TIMES"
        elif d.error == m.NO_REPORT:
            verdict = "waiting" if not where else "stored, report pending"
        elif not where:
            verdict = "not stored (and the app knows)"
        else:
            verdict = "ok"
        rows.append(
            {
                "message": words.letter(d.msg, d.value, names),
                "value": d.value,
                "delivery report": report,
                "stored at offsets": ", ".join(map(str, where)) or "—",
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows, columns=["message", "value", "delivery report", "stored at offsets", "verdict"])


def _failed_words(error: str, failure: Failure | None) -> str:
    text = f"failed: {report_words(error, failure)}"
    return f"{text}\n“{failure.message}”" if failure is not None and failure.message else text


# The events table's cells in words (the raw CSV keeps the machine names).
KIND_WORDS = {
    m.PRODUCE_CALLED: "produce()",
    m.PRODUCE_REFUSED: "produce() refused",
    m.REQUEST_SENT: "request",
    m.FAULT_INJECTED: "fault",
    m.BROKER_DECISION: "broker decides",
    m.RESPONSE_RECEIVED: "answer",
    m.CONNECTION_CLOSED: "connection closed",
    m.DELIVERY_REPORT: "delivery report",
    m.PRODUCER_ID_ASSIGNED: "producer id",
    m.EPOCH_BUMP: "epoch bump",
    m.FATAL_ERROR: "fatal error",
    m.PRODUCER_RESTART: "producer restart",
    m.BROKER_ACTION: "broker action",
    m.PRODUCER_STATE: "broker's notebook",
    m.PRODUCER_EXPIRED: "producer id expired",
    m.FLUSH: "flush()",
    m.WAIT: "wait",
    m.RUN_ERROR: "run stopped",
}
API_WORDS = {m.PRODUCE: "Produce", m.INIT_PRODUCER_ID: "InitProducerId"}


def events_frame(events: Iterable[m.Event], position: int | None = None) -> pd.DataFrame:
    rows = []
    for i, e in enumerate(events, 1):
        rows.append(
            {
                "#": i,
                "t (ms)": round(e.t_ms, 1),
                "kind": KIND_WORDS.get(e.kind, e.kind.replace("_", " ")),
                "api": API_WORDS.get(e.get("api"), e.get("api") or ""),
                "request": e.get("request_no", ""),
                "PID": e.get("producer_id", ""),
                "epoch": e.get("producer_epoch", ""),
                "base seq": e.get("base_sequence", ""),
                "records": e.get("record_count", len(e.get("msgs") or ()) or ""),
                "error": e.get("error") or "",
                "offset": _offset_cell(e),
                "what happened": words.describe(e),
                "fault": "FAULT" if words.is_fault(e) else "",
                "now": "◀ now" if position is not None and i == position else "",
            }
        )
    frame = pd.DataFrame(rows)
    # Mixed blanks and numbers: show as text so Arrow does not choke on them.
    for col in ("api", "request", "PID", "epoch", "base seq", "records", "error", "offset"):
        if col in frame:
            frame[col] = frame[col].astype(str)
    return frame


def _offset_cell(event: m.Event) -> str:
    offset = event.get("base_offset", event.get("offset"))
    if offset is not None:
        return str(offset)
    delivered = event.kind == m.DELIVERY_REPORT and not event.get("error")
    return "not reported" if delivered else ""


def without_echo(frame: pd.DataFrame, kept: str, echo: str) -> pd.DataFrame:
    """Drop column `echo` where it only repeats `kept` (values named after their message,
    m1, m2, …): one column less to fit beside another table or on a projector."""
    if echo in frame and kept in frame and (frame[echo].astype(str) == frame[kept].astype(str)).all():
        return frame.drop(columns=echo)
    return frame


RAW_EVENT_COLUMNS = [
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


def raw_events_frame(trace: m.Trace) -> pd.DataFrame:
    """Every event with every detail key as a column, for the CSV download."""
    rows = []
    for i, event in enumerate(trace.events):
        row = {"#": i + 1, **event.to_dict()}
        for key in ("values", "msgs"):
            if isinstance(row.get(key), list):
                row[key] = ", ".join(str(v) for v in row[key])
        rows.append(row)
    columns = ["#", *RAW_EVENT_COLUMNS]
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame:
            frame[column] = None
    extra = [c for c in frame.columns if c not in columns]
    return frame[columns + extra]
