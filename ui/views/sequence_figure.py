"""The sequence diagram as a plotly Figure, for the presenter's projector slides (the
pages draw ui/views/sequence_html.py, which needs no charting script).  One row per
event (a long run folded as sequence_marks decides), faults marked where they happen; arrows labelled with request number, PID, epoch
and sequence.  Pure: Trace + position -> plotly Figure.  Its text alternative is the
events table."""

from __future__ import annotations

import plotly.graph_objects as go

from idemlab import model as m
from ui.views import sequence_marks as sm
from ui.views.figure_parts import FigureParts
from ui.views.palette import GREY, STYLE

PRODUCER_X, BROKER_X = 0.0, 1.0
WINDOW = sm.WINDOW
ROW_PX = 32
NOTE_X = {sm.AT_PRODUCER: (PRODUCER_X, "left"), sm.AT_BROKER: (BROKER_X, "right"), sm.BETWEEN: (0.5, "middle")}


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


def _draw(parts: FigureParts, mark: sm.Mark, y: float) -> None:
    if mark.place in (sm.TO_BROKER, sm.TO_PRODUCER):
        start, end = (PRODUCER_X, BROKER_X) if mark.place == sm.TO_BROKER else (BROKER_X, PRODUCER_X)
        parts.arrow(y, start, end, STYLE[mark.meaning][0], 3 if mark.current else 2)
        _row(parts, y, mark.meaning, (start + end) / 2, mark.text, "middle", mark.current)
    else:
        x, side = NOTE_X[mark.place]
        _row(parts, y, mark.meaning, x, mark.text, side, mark.current)


def sequence_figure(trace: m.Trace, position: int | None = None, window: int = WINDOW) -> go.Figure:
    rows_shown = sm.window(trace, position, window)
    rows = max(len(rows_shown.marks), 4)
    parts = FigureParts()
    for x, name in ((PRODUCER_X, "Producer"), (BROKER_X, "Broker")):
        parts.shape(type="line", x0=x, x1=x, y0=0.6, y1=-rows - 0.4, line={"color": GREY, "width": 2, "dash": "dot"})
        parts.label(x, 1.1, f"<b>{name}</b>", font={"size": 15})
    for i, mark in enumerate(rows_shown.marks):
        _draw(parts, mark, -i)
    if rows_shown.start:
        parts.label(0.5, 0.6, rows_shown.earlier, font={"size": 11})
    return parts.figure(
        height=90 + rows * ROW_PX,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"range": [-1.25, 2.25], "visible": False, "fixedrange": True},
        yaxis={"range": [-rows + 0.4, 1.5], "visible": False, "fixedrange": True},
    )
