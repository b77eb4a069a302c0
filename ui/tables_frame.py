"""DataFrames for the table views: stored log, producer state, deliveries, events.
Each problem is flagged in words in its own column; `tint` colours rows to match.
Pure: no streamlit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pandas as pd

from idemlab import model as m
from idemlab.outcome import reordered_msgs
from idemlab.timeline import ProducerStateRow
from ui import event_words
from ui.palette import ROW_TINT

STORED_COLUMNS = ["partition", "offset", "value", "message", "PID", "epoch", "sequence", "check"]


def stored_log_frame(stored: Iterable[m.StoredRecord]) -> pd.DataFrame:
    records = sorted(stored, key=lambda r: (r.partition, r.offset))
    copies = Counter(r.msg for r in records if r.msg is not None)
    first_offset: dict[int, int] = {}
    late = set(reordered_msgs(records))
    rows = []
    for r in records:
        check = "ok"
        if r.msg is not None and copies[r.msg] > 1 and r.msg in first_offset:
            check = f"DUPLICATE of offset {first_offset[r.msg]} (m{r.msg} stored twice)"
        elif r.msg in late:
            check = f"OUT OF ORDER: m{r.msg} stored after a later message"
        if r.msg is not None:
            first_offset.setdefault(r.msg, r.offset)
        rows.append(
            {
                "partition": r.partition,
                "offset": r.offset,
                "value": r.value,
                "message": f"m{r.msg}" if r.msg is not None else "?",
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
                    f"seq {event_words.span(b[0], b[1])} → offset {event_words.span(b[2], b[3])}" for b in row.batches
                )
                or "none",
            }
        )
    return pd.DataFrame(
        out, columns=["partition", "PID", "epoch", "last sequence", "remembered batches (seq → offsets), oldest first"]
    )


def deliveries_frame(deliveries: Iterable[m.Delivery], stored: Iterable[m.StoredRecord]) -> pd.DataFrame:
    offsets: dict[int, list[int]] = {}
    for r in stored:
        offsets.setdefault(r.msg, []).append(r.offset)
    rows = []
    for d in deliveries:
        where = offsets.get(d.msg, [])
        report = (
            f"delivered, offset {d.offset}"
            if d.ok
            else "no report yet"
            if d.error == m.NO_REPORT
            else f"failed: {d.error}"
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
                "message": f"m{d.msg}",
                "value": d.value,
                "delivery report": report,
                "stored at offsets": ", ".join(map(str, where)) or "—",
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows, columns=["message", "value", "delivery report", "stored at offsets", "verdict"])


def events_frame(events: Iterable[m.Event], position: int | None = None) -> pd.DataFrame:
    rows = []
    for i, e in enumerate(events, 1):
        rows.append(
            {
                "#": i,
                "t (ms)": round(e.t_ms, 1),
                "kind": e.kind,
                "api": e.get("api", ""),
                "request": e.get("request_no", ""),
                "PID": e.get("producer_id", ""),
                "epoch": e.get("producer_epoch", ""),
                "base seq": e.get("base_sequence", ""),
                "records": e.get("record_count", len(e.get("msgs") or ()) or ""),
                "error": e.get("error") or "",
                "offset": e.get("base_offset", e.get("offset", "")),
                "what happened": event_words.describe(e),
                "fault": "FAULT" if event_words.is_fault(e) else "",
                "now": "◀ now" if position is not None and i == position else "",
            }
        )
    frame = pd.DataFrame(rows)
    # Mixed blanks and numbers: show as text so Arrow does not choke on them.
    for col in ("api", "request", "PID", "epoch", "base seq", "records", "error", "offset"):
        if col in frame:
            frame[col] = frame[col].astype(str)
    return frame


def without_echo(frame: pd.DataFrame, kept: str, echo: str) -> pd.DataFrame:
    """Drop column `echo` where it only repeats `kept` (values named after their message,
    m1, m2, …): one column less to fit beside another table or on a projector."""
    if echo in frame and kept in frame and (frame[echo].astype(str) == frame[kept].astype(str)).all():
        return frame.drop(columns=echo)
    return frame


def stored_row_tints(frame: pd.DataFrame) -> list[str]:
    def tint(check: str) -> str:
        if check.startswith("DUPLICATE"):
            return f"background-color: {ROW_TINT['duplicate']}"
        if check.startswith("OUT OF ORDER"):
            return f"background-color: {ROW_TINT['reordered']}"
        return ""

    return [tint(c) for c in frame.get("check", [])]


def delivery_row_tints(frame: pd.DataFrame) -> list[str]:
    return [f"background-color: {ROW_TINT['misreported']}" if v.isupper() else "" for v in frame.get("verdict", [])]


def event_row_tints(frame: pd.DataFrame) -> list[str]:
    return [
        f"background-color: {ROW_TINT['current']}" if now else f"background-color: {ROW_TINT['fault']}" if fault else ""
        for fault, now in zip(frame.get("fault", []), frame.get("now", []), strict=False)
    ]


def styled(frame: pd.DataFrame, tints: list[str]):
    """A pandas Styler painting whole rows with the given CSS (one entry per row)."""
    if frame.empty:
        return frame
    # axis=None: one call for the whole frame, ~10x faster than row by row
    return frame.style.apply(
        lambda data: pd.DataFrame([[tint] * data.shape[1] for tint in tints], index=data.index, columns=data.columns),
        axis=None,
    )
