"""Sequence diagram of producer ↔ broker traffic, one row per event, faults marked
where they happen; arrows labelled with request number, PID, epoch and sequence.
Pure: Trace + position -> plotly Figure.  Its text alternative is the events table."""

from __future__ import annotations

import plotly.graph_objects as go

from idemlab import model as m
from idemlab import words
from ui.views.figure_parts import FigureParts
from ui.views.palette import GREY, STYLE

PRODUCER_X, BROKER_X = 0.0, 1.0
WINDOW = 22
ROW_PX = 32


def _row(parts: FigureParts, y: float, meaning: str, x: float, text: str, side: str, current: bool) -> None:
    parts.marker(meaning, x, y, text, size=15 if current else 11)
    anchor = {"left": "right", "right": "left", "middle": "center"}[side]
    offset = {"left": -0.04, "right": 0.04, "middle": 0}[side]
    parts.label(
        x + offset,
        y,
        f"<b>{text}</b>" if current else text,
        xanchor=anchor,
        yanchor="bottom" if side == "middle" else "middle",
        yshift=4 if side == "middle" else 0,
        font={"size": 14},
    )


def _arrow(parts: FigureParts, y: float, start: float, end: float, meaning: str, label: str, current: bool) -> None:
    parts.arrow(y, start, end, STYLE[meaning][0], 3 if current else 2)
    _row(parts, y, meaning, (start + end) / 2, label, "middle", current)


def _draw(fig: FigureParts, event: m.Event, y: float, current: bool, names: dict[int, str] | None = None) -> None:
    get = event.get
    if event.kind == m.REQUEST_SENT:
        meaning = "retry" if (get("attempt") or 1) > 1 else "request"
        label = f"#{get('request_no')} {'InitProducerId' if get('api') == m.INIT_PRODUCER_ID else 'Produce'}"
        if get("api") != m.INIT_PRODUCER_ID:
            label += f" [{words.values_text(event)}] {words.ids(event)}"
        _arrow(fig, y, PRODUCER_X, BROKER_X, meaning, label + (" (retry)" if meaning == "retry" else ""), current)
    elif event.kind == m.RESPONSE_RECEIVED:
        if get("error"):
            _arrow(fig, y, BROKER_X, PRODUCER_X, "error", f"reply #{get('request_no')}: {get('error')}", current)
        elif get("api") == m.INIT_PRODUCER_ID:
            _arrow(
                fig,
                y,
                BROKER_X,
                PRODUCER_X,
                "response",
                f"reply #{get('request_no')}: PID {get('producer_id')} epoch {get('producer_epoch')}",
                current,
            )
        else:
            _arrow(
                fig,
                y,
                BROKER_X,
                PRODUCER_X,
                "response",
                f"ack #{get('request_no')}: offset {get('base_offset')}",
                current,
            )
    elif event.kind == m.FAULT_INJECTED:
        _row(fig, y, "lost", 0.5, "✗ " + words.describe(event), "middle", current)
    elif event.kind == m.CONNECTION_CLOSED:
        _row(fig, y, "lost", 0.5, "✗ connection closed", "middle", current)
    elif event.kind == m.BROKER_DECISION:
        meaning = {m.APPENDED: "appended", m.DUPLICATE: "dedup"}.get(get("result"), "rejected")
        text = {
            m.APPENDED: f"stored at offset {get('base_offset')}",
            m.DUPLICATE: f"duplicate → not stored, offset {get('base_offset')}",
        }.get(get("result"), f"rejected: {get('error')}")
        _row(fig, y, meaning, BROKER_X, text, "right", current)
    elif event.kind == m.BROKER_ACTION:
        _row(fig, y, "broker", BROKER_X, words.describe(event), "right", current)
    elif event.kind == m.DELIVERY_REPORT:
        meaning = "failed" if get("error") else "delivered"
        name = words.letter(get("msg"), get("value"), names)
        text = (
            f"{name} failed: {get('error')}"
            if get("error")
            else f"{name} delivered {words.offset_words(get('offset'))}"
        )
        _row(fig, y, meaning, PRODUCER_X, text, "left", current)
    else:
        meaning = "failed" if event.kind in (m.FATAL_ERROR, m.RUN_ERROR, m.PRODUCE_REFUSED) else "producer"
        _row(fig, y, meaning, PRODUCER_X, words.describe(event), "left", current)


def sequence_figure(trace: m.Trace, position: int | None = None, window: int = WINDOW) -> go.Figure:
    position = len(trace.events) if position is None else max(0, min(position, len(trace.events)))
    start = max(0, position - window)
    shown = trace.events[start:position]
    rows = max(len(shown), 4)
    parts = FigureParts()
    for x, name in ((PRODUCER_X, "Producer"), (BROKER_X, "Broker")):
        parts.shape(type="line", x0=x, x1=x, y0=0.6, y1=-rows - 0.4, line={"color": GREY, "width": 2, "dash": "dot"})
        parts.label(x, 1.1, f"<b>{name}</b>", font={"size": 15})
    names = words.letter_names(trace.events)
    for i, event in enumerate(shown):
        _draw(parts, event, -i, current=(start + i + 1 == position), names=names)
    if start:
        parts.label(0.5, 0.6, f"… {start} earlier events (see the table)", font={"size": 11})
    return parts.figure(
        height=90 + rows * ROW_PX,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"range": [-1.25, 2.25], "visible": False, "fixedrange": True},
        yaxis={"range": [-rows + 0.4, 1.5], "visible": False, "fixedrange": True},
    )
