"""Step through a trace one event at a time: buttons with keyboard shortcuts, a slider,
and play/pause at a chosen speed (a fragment with run_every while playing).
Owns session keys `<ns>.pos`, `<ns>.playing`, `<ns>.speed`, `<ns>.trace`."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

SPEEDS = {"slow (2 s)": 2.0, "normal (1 s)": 1.0, "fast (½ s)": 0.5}
LEGEND = "Keys: **←** back · **→** next · **Home** start · **End** end · **P** play/pause"


def _move(ns: str, to: int | None = None, by: int = 0, last: int = 0) -> None:
    pos = st.session_state.get(f"{ns}.pos", last)
    st.session_state[f"{ns}.pos"] = max(0, min(last, (pos + by) if to is None else to))


def _toggle_play(ns: str, last: int) -> None:
    playing = not st.session_state.get(f"{ns}.playing", False)
    if playing and st.session_state.get(f"{ns}.pos", last) >= last:
        st.session_state[f"{ns}.pos"] = 0
    st.session_state[f"{ns}.playing"] = playing


def prepare(ns: str, trace_id: str, last: int, initial: int | None) -> None:
    """Reset the position when a different trace arrives; clamp it otherwise."""
    if st.session_state.get(f"{ns}.trace") != trace_id:
        st.session_state[f"{ns}.trace"] = trace_id
        st.session_state[f"{ns}.pos"] = last if initial is None else max(0, min(initial, last))
        st.session_state[f"{ns}.playing"] = False
    st.session_state[f"{ns}.pos"] = max(0, min(st.session_state.get(f"{ns}.pos", last), last))


def show(
    ns: str,
    trace_id: str,
    last: int,
    render: Callable[[int], None],
    initial: int | None = None,
    on_position: Callable[[int], None] | None = None,
) -> None:
    prepare(ns, trace_id, last, initial)
    st.session_state.setdefault(f"{ns}.speed", "normal (1 s)")
    playing = st.session_state.get(f"{ns}.playing", False)
    interval = SPEEDS.get(st.session_state.get(f"{ns}.speed", "normal (1 s)"), 1.0) if playing else None

    @st.fragment(run_every=interval)
    def stepper() -> None:
        # run_every is fixed per full run, so play/pause and speed changes need one.
        speed_now = SPEEDS.get(st.session_state.get(f"{ns}.speed", "normal (1 s)"), 1.0)
        if st.session_state.get(f"{ns}.playing", False) != playing or (playing and speed_now != interval):
            st.rerun()
        if st.session_state.get(f"{ns}.playing") and st.session_state.get(f"{ns}.ticked"):
            _move(ns, by=1, last=last)
            if st.session_state[f"{ns}.pos"] >= last:
                st.session_state[f"{ns}.playing"] = False
                st.rerun()
        st.session_state[f"{ns}.ticked"] = True
        cols = st.columns(5)
        cols[0].button(
            "Start",
            icon=":material/first_page:",
            key=f"{ns}.first",
            on_click=_move,
            kwargs={"to": 0, "last": last},
            shortcut="Home",
            width="stretch",
            args=(ns,),
        )
        cols[1].button(
            "Back",
            icon=":material/chevron_left:",
            key=f"{ns}.back",
            on_click=_move,
            kwargs={"by": -1, "last": last},
            shortcut="Left",
            width="stretch",
            args=(ns,),
        )
        cols[2].button(
            "Next",
            icon=":material/chevron_right:",
            key=f"{ns}.fwd",
            on_click=_move,
            kwargs={"by": 1, "last": last},
            shortcut="Right",
            width="stretch",
            args=(ns,),
        )
        cols[3].button(
            "End",
            icon=":material/last_page:",
            key=f"{ns}.end",
            on_click=_move,
            kwargs={"to": last, "last": last},
            shortcut="End",
            width="stretch",
            args=(ns,),
        )
        cols[4].button(
            "Pause" if st.session_state.get(f"{ns}.playing") else "Play",
            key=f"{ns}.play",
            icon=":material/pause:" if st.session_state.get(f"{ns}.playing") else ":material/play_arrow:",
            on_click=_toggle_play,
            args=(ns, last),
            shortcut="P",
            width="stretch",
            type="primary",
        )
        slider_col, speed_col = st.columns([3, 2])
        if last > 0:
            slider_col.slider("Event", 0, last, key=f"{ns}.pos", help="Drag to any point of the run.")
        speed_col.segmented_control("Play speed", list(SPEEDS), key=f"{ns}.speed", required=True, width="stretch")
        st.caption(LEGEND)
        position = st.session_state[f"{ns}.pos"]
        if on_position:
            on_position(position)
        render(position)

    st.session_state[f"{ns}.ticked"] = False
    stepper()
