"""The mail room: the sender with its numbered letters, letters in the post, lost
receipts, the post office's shelf (the partition log) and its notebook of the last 5
letter numbers per sender.  Pure: Snapshot -> plotly Figure, plus a text alternative."""

from __future__ import annotations

from collections import Counter

import plotly.graph_objects as go

from idemlab import model as m
from ui import event_words
from ui.figure_parts import FigureParts
from ui.palette import GREY, STYLE
from ui.snapshot import row_value

ZONES = (  # x0, x1, title
    (0.0, 3.6, "Sender (producer)"),
    (3.9, 7.6, "In the post"),
    (7.9, 11.6, "Shelf (partition log)"),
    (11.9, 16.0, "Notebook (last 5 per sender)"),
)
MAX_ROWS = 9
TOP = 8.6


ROW_STEP = 0.9


def _items(parts: FigureParts, x: float, rows: list[tuple[str, str]], empty: str) -> None:
    """Rows of (meaning, label) listed downwards from the top of a zone."""
    if not rows:
        parts.label(x, TOP, f"<i>{empty}</i>", xanchor="left", font={"color": GREY, "size": 12})
        return
    hidden = max(0, len(rows) - MAX_ROWS)
    for i, (meaning, label) in enumerate(rows[-MAX_ROWS:]):
        y = TOP - i * ROW_STEP
        parts.marker(meaning, x, y, label, size=14)
        parts.label(x + 0.22, y, label, xanchor="left", font={"size": 13})
    if hidden:
        parts.label(x, TOP + 0.75, f"… {hidden} more above", xanchor="left", font={"color": GREY, "size": 11})


def sender_rows(snap) -> list[tuple[str, str]]:
    rows = []
    for d in snap.deliveries:
        if d.ok:
            rows.append(("delivered", f"{event_words.letter(d.msg, d.value)}: ✓ receipt, offset {d.offset}"))
        elif d.error == m.NO_REPORT:
            rows.append(("waiting", f"{event_words.letter(d.msg, d.value)}: waiting for receipt"))
        else:
            rows.append(("failed", f"{event_words.letter(d.msg, d.value)}: ✗ {d.error}"))
    return rows


def post_rows(snap, trace_events: list[m.Event]) -> list[tuple[str, str]]:
    rows = []
    for e in snap.in_flight:
        meaning = "retry" if (e.get("attempt") or 1) > 1 else "request"
        what = "InitProducerId" if e.get("api") == m.INIT_PRODUCER_ID else f"[{event_words.values_text(e)}]"
        rows.append((meaning, f"#{e.get('request_no')} {what} {event_words.ids(e)}".strip()))
    for e in trace_events[:snap.position]:
        if e.kind == m.FAULT_INJECTED and e.get("action") in (m.DROP_RESPONSE, m.DROP_REQUEST):
            word = "receipt" if e.get("action") == m.DROP_RESPONSE else "letter"
            rows.append(("lost", f"✗ {word} #{e.get('request_no')} lost"))
    return rows


def shelf_rows(snap) -> list[tuple[str, str]]:
    seen: Counter = Counter()
    rows = []
    for r in sorted(snap.stored, key=lambda r: (r.partition, r.offset)):
        seen[r.msg] += 1
        dup = r.msg is not None and seen[r.msg] > 1
        seq = f"seq {r.sequence}" if r.sequence >= 0 else "no seq"
        # The word leads on a duplicate, so it never runs past the edge of the shelf.
        head = f"DUPLICATE @{r.offset}" if dup else f"offset {r.offset}"
        label = f"{head}: {event_words.letter(r.msg, r.value)} ({seq})"
        if len({rec.partition for rec in snap.stored}) > 1:
            label = f"p{r.partition} " + label
        rows.append(("duplicate" if dup else "appended", label))
    return rows


def notebook_rows(snap) -> list[tuple[str, str]]:
    rows = []
    for row in snap.producer_state:
        rows.append(("producer", f"PID {row_value(row, 'producer_id')} · epoch {row_value(row, 'producer_epoch')}"
                                 f" · p{row_value(row, 'partition')}"))
        for b in (row_value(row, "batches", []) or [])[-5:]:
            rows.append(("note", f"seq {event_words.span(b[0], b[1])} → offset {event_words.span(b[2], b[3])}"))
    return rows


def mailroom_figure(snap, events: list[m.Event]) -> go.Figure:
    zones = [sender_rows(snap), post_rows(snap, events), shelf_rows(snap), notebook_rows(snap)]
    shown = max(3, min(MAX_ROWS, max(len(rows) for rows in zones)))
    bottom = TOP - (shown - 1) * ROW_STEP - 0.7  # the picture grows with its longest column
    parts = FigureParts()
    for x0, x1, title in ZONES:
        parts.shape(type="rect", x0=x0, x1=x1, y0=bottom, y1=10, line={"color": GREY, "width": 1.5},
                    fillcolor="rgba(140,140,140,0.06)")
        parts.label((x0 + x1) / 2, 9.6, f"<b>{title}</b>", font={"size": 14})
    for x, rows, empty in zip((0.3, 4.2, 8.2, 12.2), zones, ("no letters yet", "nothing in the post",
                                                              "shelf is empty", "no sender noted (not idempotent?)")):
        _items(parts, x, rows, empty)
    return parts.figure(height=int(30 + (10.2 - bottom) * 36), margin={"l": 5, "r": 5, "t": 5, "b": 5},
                        xaxis={"range": [-0.1, 16.1], "visible": False, "fixedrange": True},
                        yaxis={"range": [bottom - 0.1, 10.1], "visible": False, "fixedrange": True})


def mailroom_text(snap, events: list[m.Event]) -> str:
    """The same picture in words (the figure's text alternative)."""
    def block(title: str, rows: list[tuple[str, str]], empty: str) -> str:
        lines = [f"- {label} ({STYLE[meaning][2]})" for meaning, label in rows] or [f"- {empty}"]
        return f"**{title}**\n" + "\n".join(lines)
    return "\n\n".join([
        block("Sender's letters", sender_rows(snap), "none yet"),
        block("In the post", post_rows(snap, events), "nothing"),
        block("On the shelf", shelf_rows(snap), "empty"),
        block("In the notebook", notebook_rows(snap), "nothing noted"),
    ])
