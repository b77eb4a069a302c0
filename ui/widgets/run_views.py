"""Renders the views of one run at the current stepping position.  Everything shown is
built by the pure *_figure / *_frame modules; this file only places it on the page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from idemlab import replay, tables
from idemlab.model import Trace
from ui.components import mailroom as mailroom_component
from ui.components.mailroom import alt_text
from ui.views import row_tints
from ui.views.html_table import html_table
from ui.views.sequence_html import sequence_html
from ui.views.snapshot import snapshot

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def outcome_line(snap, trace: Trace) -> None:
    outcome = snap.outcome
    text = outcome.sentence()
    if snap.position < len(trace.events):
        text = f"So far (event {snap.position} of {len(trace.events)}): {text}"
    trouble = (
        outcome.duplicates
        or outcome.lost
        or outcome.reordered
        or outcome.failed_but_stored
        or outcome.delivered_but_not_stored
        or outcome.fatal_error
        or outcome.run_error
        or outcome.resent_values  # a re-send is a new message: a consumer reads the value twice
    )
    (st.warning if trouble else st.success)(text, icon=":material/warning:" if trouble else ":material/check:")


FaultHandler = Callable[[dict[str, Any]], None]


@st.cache_data(max_entries=64, show_spinner=False)
def _replay(_trace: Trace, trace_key: str, start: int) -> dict:
    return replay.replay(_trace, start)


def trace_key(trace: Trace) -> str:
    """A content key for caching a trace's replay (a trace is plain data)."""
    body = repr((trace.scenario, trace.backend, trace.events, trace.stored, trace.fatal_error, trace.run_error))
    return hashlib.sha1(body.encode()).hexdigest()


def mailroom(
    snap,
    trace: Trace,
    key: str,
    *,
    on_fault: FaultHandler | None = None,
    autoplay: bool = False,
    large: bool = False,
) -> None:
    """The animated mail room, opening at `snap.position`; stepping, playing and scrubbing
    happen in the browser.  With `on_fault`, a click on a letter or receipt in flight
    breaks that request (the handler gets the fault as a scenario dict).  Its text
    alternative is read from the same document the picture draws."""
    document = _replay(trace, trace_key(trace), snap.position)
    refusal = trace.run_error if not trace.events else None
    mailroom_component.show(document, key, on_fault=on_fault, autoplay=autoplay, large=large, refusal=refusal)
    with st.expander("The mail room in words, at the end of the run"):
        st.markdown(alt_text.describe(mailroom_component.with_refusal(document, refusal)))


def sequence(trace: Trace, position: int, key: str) -> None:
    st.html(sequence_html(trace, position))
    st.caption(
        "Arrows: ▶ request (open ▷ = retry), ◀ acknowledgement, ✗ fault. Labels give request number, "
        "PID, epoch and sequence numbers. The table below says the same in words."
    )
    with st.expander("Show as table"):
        events_table(trace, position, key)


def events_table(trace: Trace, position: int | None, key: str) -> None:
    frame = tables.events_frame(trace.events, position)
    st.dataframe(
        row_tints.styled(frame, row_tints.event_row_tints(frame)),
        hide_index=True,
        key=f"{key}.events",
        column_config={"t (ms)": st.column_config.NumberColumn(format="%.1f")},
    )


SMALL_TABLE_ROWS = 30


def table(frame, key: str, tints: list[str] | None = None, alt: str = "", **options) -> None:
    """A short table as plain HTML (ui/views/html_table.py says why); a long one as a
    scrolling, sortable grid."""
    if len(frame) <= SMALL_TABLE_ROWS:
        st.html(html_table(frame, tints, caption=alt))
    else:
        st.dataframe(row_tints.styled(frame, tints) if tints else frame, hide_index=True, key=key, **options)


def stored_log(stored, key: str) -> None:
    st.markdown("**Stored log** (what a consumer would read)")
    frame = tables.stored_log_frame(stored)
    if frame.empty:
        st.caption("Nothing stored yet.")
        return
    if frame["partition"].nunique() == 1:
        frame = frame.drop(columns="partition")
    frame = tables.without_echo(frame, kept="value", echo="message")
    table(frame, f"{key}.stored", row_tints.stored_row_tints(frame), alt="The stored log, one row per record")
    problems = [c for c in frame["check"] if c != "ok"]
    if problems:
        st.markdown("\n".join(f"- ⚠ {p}" for p in problems))


def producer_state(snap, key: str) -> None:
    st.markdown("**Broker's producer state** (its notebook: last sequence and up to 5 batches per PID)")
    frame = tables.producer_state_frame(snap.producer_state)
    if frame.empty:
        st.caption(
            "The broker's notebook is empty here: it keeps entries only for producers that have a producer id "
            "(idempotent ones), and only while it remembers them."
        )
    else:
        table(frame, f"{key}.pstate", alt="The broker's producer state, one row per producer and partition")


def deliveries(snap, key: str) -> None:
    st.markdown("**Delivery reports vs what was stored**")
    frame = tables.deliveries_frame(snap.deliveries, snap.stored, snap.state)
    if frame.empty:
        st.caption("No produce() calls yet.")
        return
    frame = tables.without_echo(frame, kept="message", echo="value")
    table(
        frame,
        f"{key}.deliveries",
        row_tints.delivery_row_tints(frame),
        alt="Each produce() call: its delivery report and what was stored",
    )
    for verdict in sorted({v for v in frame["verdict"] if v.isupper()}):
        st.markdown(f"- ⚠ **{verdict.capitalize()}**: " + ", ".join(frame.loc[frame["verdict"] == verdict, "message"]))


OTHER_VIEWS = ("Sequence diagram", "Events")


def animated(trace: Trace) -> bool:
    """Whether the mail room animates the whole run (a longer one plays its first
    replay.MAX_EVENTS events, with a notice; the tables always give the whole run)."""
    return len(trace.events) <= replay.MAX_EVENTS


def run(trace: Trace, key: str, *, start: int = 0, on_fault: FaultHandler | None = None) -> None:
    """A run as the learner meets it: the outcome, the animated mail room (opening at
    `start`, moment by moment), then the end result as tables and the other pictures."""
    end = snapshot(trace)
    outcome_line(end, trace)
    if not animated(trace):
        st.info(
            f"This run has {len(trace.events):,} events: the mail room plays the first {replay.MAX_EVENTS:,}. "
            "The outcome above and the tables below are the whole run's; the events table lists every event.",
            icon=":material/info:",
        )
    mailroom(snapshot(trace, min(start, replay.MAX_EVENTS)), trace, key, on_fault=on_fault)
    st.markdown("**At the end of the run**")
    stored_log(end.stored, key)
    deliveries(end, key)
    producer_state(end, key)
    view = st.segmented_control(
        "More pictures of the run", OTHER_VIEWS, default=None, key=f"{key}.more", help="Drawn only when chosen."
    )
    if view == "Sequence diagram":
        sequence(trace, len(trace.events), key)
    elif view == "Events":
        events_table(trace, None, f"{key}.tab")
