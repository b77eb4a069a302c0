"""Presenter view: a lesson as slides in large type, one view at a time, moved with
buttons or the keyboard.  Owns session keys `present.*`."""

from __future__ import annotations

import streamlit as st

from idemlab import words
from ui.views.snapshot import snapshot
from ui.widgets import run_views

# Only prose gets large type; buttons and controls keep their size so they do not truncate.
LARGE_TYPE = """<style>
[data-testid="stMainBlockContainer"] [data-testid="stMarkdown"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdown"] li { font-size: 1.45rem; line-height: 1.5; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.2rem; }
.idl-mailroom li, .idl-table { font-size: 1.3rem; }
.idl-mailroom h4 { font-size: 1.4rem; }
.idl-legend { font-size: 1.15rem; }
</style>"""
VIEWS = ["Mail room", "Sequence diagram", "Stored log"]


def slides(lesson, trace) -> list[tuple[str, object]]:
    """('text', (heading, markdown)) or ('event', position)."""
    out: list[tuple[str, object]] = [
        ("text", ("The analogy", lesson.section("Analogy"))),
        ("text", ("How it works", lesson.section("Mechanism"))),
        (
            "text",
            (
                "Predict",
                lesson.prediction.question
                + "\n\n"
                + "\n".join(f"{chr(65 + i)}. {c}" for i, c in enumerate(lesson.prediction.choices)),
            ),
        ),
    ]
    if trace is not None:
        out += [("event", position) for position in range(1, len(trace.events) + 1)]
    out.append(("text", ("After the run", lesson.section("After the run"))))
    return out


def _go(by: int, count: int) -> None:
    st.session_state["present.slide"] = max(0, min(count - 1, st.session_state.get("present.slide", 0) + by))


def show(lesson, trace) -> None:
    st.html(LARGE_TYPE)
    deck = slides(lesson, trace)
    index = max(0, min(st.session_state.get("present.slide", 0), len(deck) - 1))
    cols = st.columns([1, 1, 2])
    cols[0].button(
        "◀ Previous", on_click=_go, args=(-1, len(deck)), shortcut="Left", key="present.prev", width="stretch"
    )
    cols[1].button(
        "Next ▶",
        on_click=_go,
        args=(1, len(deck)),
        shortcut="Right",
        key="present.next",
        width="stretch",
        type="primary",
    )
    cols[2].markdown(f"Slide {index + 1} of {len(deck)} · keys ← →")
    kind, content = deck[index]
    if kind == "text":
        heading, body = content
        st.header(heading)
        st.markdown(body)
        return
    view = st.segmented_control("View", VIEWS, default=VIEWS[0], key="present.view", label_visibility="collapsed")
    snap = snapshot(trace, content)
    st.header(words.describe(snap.event))
    if view == "Sequence diagram":
        run_views.sequence(trace, content, "present")
    elif view == "Stored log":
        run_views.stored_log(snap.stored, "present")
    else:
        run_views.mailroom(snap, trace, "present")
    st.markdown(f"**{snap.outcome.sentence()}**")
