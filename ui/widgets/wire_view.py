"""The wire inspector: every request and response of a run, decoded, filterable by api,
fault and partition, faults marked in words (and tinted), next to the same run's stored
log.  `wire_frame` is pure; `show` places it.  Owns session keys `wire.*`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from idemlab import model as m
from idemlab import words
from ui.views import row_tints
from ui.widgets import run_views

WIRE_KINDS = (m.REQUEST_SENT, m.FAULT_INJECTED, m.BROKER_DECISION, m.RESPONSE_RECEIVED, m.CONNECTION_CLOSED)
API_NAMES = {m.PRODUCE: "Produce", m.INIT_PRODUCER_ID: "InitProducerId"}
DIRECTION = {
    m.REQUEST_SENT: "→ request",
    m.FAULT_INJECTED: "✗ fault",
    m.BROKER_DECISION: "■ broker",
    m.RESPONSE_RECEIVED: "← response",
    m.CONNECTION_CLOSED: "✗ closed",
}
FAULT_MARK = "⚠ FAULT"
COLUMNS = [
    "#",
    "fault",
    "direction",
    "api",
    "request",
    "PID",
    "epoch",
    "base seq",
    "records",
    "offset",
    "error",
    "partition",
    "t (ms)",
    "what happened",
]
WIDTHS = {
    "#": 40,
    "fault": 85,
    "direction": 100,
    "api": 110,
    "request": 70,
    "PID": 50,
    "epoch": 55,
    "base seq": 70,
    "records": 65,
    "offset": 95,
    "error": 120,
    "partition": 70,
    "t (ms)": 70,
}


def wire_events(trace: m.Trace) -> list[tuple[int, m.Event]]:
    """(position in the whole trace, event) for the events that went over the wire."""
    return [(i, e) for i, e in enumerate(trace.events, 1) if e.kind in WIRE_KINDS]


def _text(value) -> str:
    return "" if value is None else str(value)


def _fault_words(event: m.Event) -> str:
    """'⚠ FAULT' on the rows where something went wrong (the last column says what)."""
    return FAULT_MARK if words.is_fault(event) else ""


def _what(event: m.Event) -> str:
    text = words.describe(event)
    if event.kind == m.REQUEST_SENT and event.get("api") == m.PRODUCE and event.get("attempt") is None:
        text += " (attempt not known: seen by the proxy)"
    if event.kind == m.BROKER_DECISION and event.get("inferred"):
        text += " — inferred from the stored log"
    return text


def wire_frame(trace: m.Trace) -> pd.DataFrame:
    """One decoded row per wire event; every column is text so blanks read as blanks."""
    rows = []
    for position, e in wire_events(trace):
        api = e.get("api") or (m.PRODUCE if e.kind == m.BROKER_DECISION else "")
        count = e.get("record_count") or len(e.get("msgs") or ()) or ""
        offset = e.get("base_offset")
        if e.kind == m.BROKER_DECISION and e.get("result") == m.DUPLICATE and offset is not None:
            offset = f"{offset} (original)"
        rows.append(
            {
                "#": position,
                "t (ms)": round(e.t_ms, 1),
                "direction": DIRECTION[e.kind],
                "api": API_NAMES.get(api, api),
                "request": f"#{e.get('request_no')}" if e.get("request_no") else "",
                "partition": _text(e.get("partition")),
                "PID": _text(e.get("producer_id")),
                "epoch": _text(e.get("producer_epoch")),
                "base seq": _text(e.get("base_sequence")),
                "records": _text(count),
                "error": _text(e.get("error")),
                "offset": _text(offset),
                "fault": _fault_words(e),
                "what happened": _what(e),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def filter_frame(frame: pd.DataFrame, apis: list[str], partitions: list[str], faults: str) -> pd.DataFrame:
    if apis:
        frame = frame[frame["api"].isin(apis)]
    if partitions:
        frame = frame[frame["partition"].isin(partitions) | (frame["partition"] == "")]
    if faults == "only faults":
        frame = frame[frame["fault"] != ""]
    elif faults == "no faults":
        frame = frame[frame["fault"] == ""]
    return frame.reset_index(drop=True)


def tints(frame: pd.DataFrame) -> list[str]:
    return row_tints.event_row_tints(pd.DataFrame({"fault": list(frame["fault"]), "now": [""] * len(frame)}))


def _column_config() -> dict:
    config = {name: st.column_config.Column(width=width) for name, width in WIDTHS.items()}
    config["t (ms)"] = st.column_config.NumberColumn(format="%.1f", width=WIDTHS["t (ms)"])
    config["what happened"] = st.column_config.TextColumn(width="large")
    return config


def show(trace: m.Trace) -> None:
    frame = wire_frame(trace)
    if frame.empty:
        st.caption("Nothing went over the wire in this run.")
        run_views.stored_log(trace.stored, "wire")
        return
    partitions_seen = sorted(set(frame["partition"]) - {""}, key=int)
    cols = st.columns(3)
    apis = cols[0].multiselect("API", sorted(set(frame["api"]) - {""}), key="wire.apis", placeholder="all APIs")
    partitions = cols[1].multiselect(
        "Partition",
        partitions_seen,
        key="wire.partitions",
        placeholder="all partitions",
        disabled=len(partitions_seen) < 2,
        help="This run used one partition." if len(partitions_seen) < 2 else None,
    )
    faults = cols[2].segmented_control(
        "Faults", ["all rows", "only faults", "no faults"], key="wire.faults", default="all rows"
    )
    shown = filter_frame(frame, apis, partitions, faults or "all rows")
    if len(partitions_seen) < 2:
        shown = shown.drop(columns="partition")
    n_faults = int((frame["fault"] != "").sum())
    st.markdown(
        f"**Requests and responses** — {len(shown)} of {len(frame)} rows; {n_faults} marked **{FAULT_MARK}** and tinted"
    )
    if shown.empty:
        st.caption("No rows match these filters.")
    else:
        st.dataframe(
            row_tints.styled(shown, tints(shown)),
            hide_index=True,
            key="wire.table",
            height=min(38 + 35 * len(shown), 38 + 35 * 9),
            column_config=_column_config(),
        )
    st.caption(
        "**#** is the event's place in the whole run (the playground's step). PID, epoch and base "
        "sequence −1 mean the producer is not idempotent: it sends no id and no numbers. "
        "The last column tells each row in words."
    )
    run_views.stored_log(trace.stored, "wire")
