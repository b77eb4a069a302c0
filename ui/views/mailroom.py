"""The mail room: the sender with its numbered letters, letters in the post, lost
receipts, the post office's shelf (the partition log) and its notebook of the last 5
letter numbers per sender.  Pure: Snapshot -> HTML, plus a plain-text alternative."""

from __future__ import annotations

from collections import Counter
from html import escape

from idemlab import model as m
from idemlab import words
from ui.views.glyphs import glyph
from ui.views.html_style import SCREEN_READER_ONLY
from ui.views.palette import STYLE

ZONES = (  # title, what an empty box says
    ("Sender (producer)", "no letters yet"),
    ("In the post", "nothing in the post"),
    ("Shelf (partition log)", "shelf is empty"),
    ("Notebook (last 5 per sender)", "no sender noted (not idempotent?)"),
)
_CSS = (
    """<style>
.idl-mailroom{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem}
.idl-mailroom section{border:1.5px solid #8C8C8C;border-radius:.5rem;padding:.5rem .75rem;
  background:rgba(140,140,140,.06)}
.idl-mailroom h4{margin:0 0 .4rem;padding:0;font-size:1rem;font-weight:600}
.idl-mailroom ul{list-style:none;margin:0;padding:0;max-height:20rem;overflow-y:auto}
.idl-mailroom li{display:flex;gap:.45rem;align-items:flex-start;margin:.25rem 0;line-height:1.35;
  overflow-wrap:anywhere}
.idl-mailroom .idl-empty{opacity:.7;font-style:italic}
.idl-legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:.5rem 0 0;font-size:.9rem;opacity:.85}
.idl-legend span{display:inline-flex;gap:.3rem;align-items:center}
"""
    + SCREEN_READER_ONLY
    + "</style>"
)


def sender_rows(snap) -> list[tuple[str, str]]:
    rows = []
    for d in snap.deliveries:
        if d.ok:
            rows.append(("delivered", f"{words.letter(d.msg, d.value)}: ✓ receipt, {words.offset_words(d.offset)}"))
        elif d.error == m.NO_REPORT:
            rows.append(("waiting", f"{words.letter(d.msg, d.value)}: waiting for receipt"))
        else:
            rows.append(("failed", f"{words.letter(d.msg, d.value)}: ✗ {d.error}"))
    return rows


def post_rows(snap, trace_events: list[m.Event]) -> list[tuple[str, str]]:
    rows = []
    for e in snap.in_flight:
        meaning = "retry" if (e.get("attempt") or 1) > 1 else "request"
        what = "InitProducerId" if e.get("api") == m.INIT_PRODUCER_ID else f"[{words.values_text(e)}]"
        rows.append((meaning, f"#{e.get('request_no')} {what} {words.ids(e)}".strip()))
    for e in trace_events[: snap.position]:
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
        label = f"{head}: {words.letter(r.msg, r.value)} ({seq})"
        if len({rec.partition for rec in snap.stored}) > 1:
            label = f"p{r.partition} " + label
        rows.append(("duplicate" if dup else "appended", label))
    return rows


def notebook_rows(snap) -> list[tuple[str, str]]:
    rows = []
    for row in snap.producer_state:
        rows.append(("producer", f"PID {row.producer_id} · epoch {row.producer_epoch} · p{row.partition}"))
        for b in row.batches[-5:]:
            rows.append(("note", f"seq {words.span(b[0], b[1])} → offset {words.span(b[2], b[3])}"))
    return rows


def mailroom_html(snap, events: list[m.Event]) -> str:
    """Four labelled boxes side by side (two or one on a narrow screen).  Real text, so it
    reads at any zoom, follows the light or dark theme and needs no chart library."""
    zones = zip(
        ZONES, (sender_rows(snap), post_rows(snap, events), shelf_rows(snap), notebook_rows(snap)), strict=False
    )
    boxes = []
    shown: dict[str, None] = {}
    for (title, empty), rows in zones:
        items = []
        for meaning, label in rows:
            shown.setdefault(meaning)
            word = STYLE[meaning][2]
            items.append(
                f'<li title="{escape(word)}">{glyph(meaning)}<span>{escape(label)}'
                f'<span class="idl-sr"> ({escape(word)})</span></span></li>'
            )
        body = "".join(items) or f'<li class="idl-empty">{escape(empty)}</li>'
        boxes.append(f'<section aria-label="{escape(title)}"><h4>{escape(title)}</h4><ul>{body}</ul></section>')
    legend = " ".join(f"<span>{glyph(meaning)} {escape(STYLE[meaning][2])}</span>" for meaning in shown)
    caption = f'<p class="idl-legend">{legend}</p>' if legend else ""
    return f'{_CSS}<div class="idl-mailroom">{"".join(boxes)}</div>{caption}'


def mailroom_text(snap, events: list[m.Event]) -> str:
    """The same picture in words (the figure's text alternative)."""

    def block(title: str, rows: list[tuple[str, str]], empty: str) -> str:
        lines = [f"- {label} ({STYLE[meaning][2]})" for meaning, label in rows] or [f"- {empty}"]
        return f"**{title}**\n" + "\n".join(lines)

    return "\n\n".join(
        [
            block("Sender's letters", sender_rows(snap), "none yet"),
            block("In the post", post_rows(snap, events), "nothing"),
            block("On the shelf", shelf_rows(snap), "empty"),
            block("In the notebook", notebook_rows(snap), "nothing noted"),
        ]
    )
