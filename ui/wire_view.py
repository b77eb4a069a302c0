"""The wire inspector: every request and response of a run, filterable, faults
highlighted, next to the same run's stored log.  Owns session keys `wire.*`."""

from __future__ import annotations

import streamlit as st

from idemlab import model as m
from ui import tables_frame as frames
from ui import run_views

WIRE_KINDS = (m.REQUEST_SENT, m.RESPONSE_RECEIVED, m.FAULT_INJECTED, m.CONNECTION_CLOSED, m.BROKER_DECISION)


def wire_events(trace: m.Trace) -> list[m.Event]:
    return [e for e in trace.events if e.kind in WIRE_KINDS]


def show(trace: m.Trace, simulated: bool) -> None:
    if simulated:
        st.info("This is the **simulated** wire: the same events a real run records, produced by the "
                "simulator. Choose a real broker in the sidebar to see what the fault proxy saw.",
                icon=":material/info:")
    else:
        st.success(f"Recorded by the fault proxy on {trace.backend}.", icon=":material/cable:")
    events = wire_events(trace)
    frame = frames.events_frame(events)
    if frame.empty:
        st.caption("No traffic in this run.")
        return
    cols = st.columns([2, 2, 1])
    kinds = cols[0].multiselect("Show", sorted(frame["kind"].unique()), key="wire.kinds",
                                placeholder="all kinds")
    requests = cols[1].multiselect("Request numbers", sorted({r for r in frame["request"] if r},
                                                              key=lambda r: int(r) if r.isdigit() else 0),
                                   key="wire.requests", placeholder="all requests")
    faults_only = cols[2].toggle("Faults only", key="wire.faults_only")
    if kinds:
        frame = frame[frame["kind"].isin(kinds)]
    if requests:
        frame = frame[frame["request"].isin(requests)]
    if faults_only:
        frame = frame[frame["fault"] == "FAULT"]
    frame = frame.drop(columns=["now"]).reset_index(drop=True)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**Requests and responses** ({len(frame)} shown; rows marked FAULT are tinted)")
        st.dataframe(frames.styled(frame, frames.event_row_tints(frame.assign(now=""))), hide_index=True,
                     key="wire.table", column_config={"t (ms)": st.column_config.NumberColumn(format="%.1f")})
    with right:
        run_views.stored_log(trace.stored, "wire")
