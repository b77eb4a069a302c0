"""Small inline SVG shapes, one per meaning in ui.views.palette.STYLE, so HTML views mark
things by shape and colour as the plotly charts do.  Pure: meaning -> <img> markup.

Every shape has a dark edge under its colour: on a light page the edge stands out, on a
dark page the colour does, so each glyph keeps 3:1 against both themes (WCAG 1.4.11,
tests/unit/test_contrast.py) although orange, sky blue or yellow alone would not on white."""

from __future__ import annotations

import base64
from functools import cache

from ui.views.palette import STYLE

SIZE = 16
EDGE = "#1A1A1A"

# plotly symbol name -> the parts of its shape in a 16x16 box: (element, stroke width),
# a width of None for a filled part.  {p} takes the paint.
_SHAPES = {
    "circle": [('<circle cx="8" cy="8" r="6" {p}/>', None)],
    "circle-open": [('<circle cx="8" cy="8" r="5.5" {p}/>', 2)],
    "circle-dot": [('<circle cx="8" cy="8" r="5.5" {p}/>', 2), ('<circle cx="8" cy="8" r="2" {p}/>', None)],
    "circle-x": [('<circle cx="8" cy="8" r="6" {p}/>', 2), ('<path d="M5 5L11 11M11 5L5 11" {p}/>', 2)],
    "square": [('<rect x="2" y="2" width="12" height="12" {p}/>', None)],
    "diamond": [('<path d="M8 1.5L14.5 8L8 14.5L1.5 8Z" {p}/>', None)],
    "triangle-right": [('<path d="M3 2L14 8L3 14Z" {p}/>', None)],
    "triangle-right-open": [('<path d="M3.5 2.5L13 8L3.5 13.5Z" {p}/>', 2)],
    "triangle-left": [('<path d="M13 2L2 8L13 14Z" {p}/>', None)],
    "triangle-left-open": [('<path d="M12.5 2.5L3 8L12.5 13.5Z" {p}/>', 2)],
    "x": [('<path d="M3 3L13 13M13 3L3 13" {p}/>', 3)],
    "x-thin-open": [('<path d="M3 3L13 13M13 3L3 13" {p}/>', 1.5)],
    "star": [('<path d="M8 1.5L10 6H14.5L11 9.5L12.5 14.5L8 11.5L3.5 14.5L5 9.5L1.5 6H6Z" {p}/>', None)],
    "hexagon": [('<path d="M4.5 2H11.5L14.5 8L11.5 14H4.5L1.5 8Z" {p}/>', None)],
}


def _paint(colour: str, width: float | None, edge: bool) -> str:
    if width is None:  # filled: the edge is a 1 px rim around the fill
        return f'fill="{colour}" stroke="{colour}" stroke-width="2"' if edge else f'fill="{colour}"'
    return f'fill="none" stroke="{colour}" stroke-width="{width + 2 if edge else width}" stroke-linecap="round"'


@cache
def svg(meaning: str) -> str:
    """The meaning's shape: its dark edge first, its colour on top."""
    colour, symbol, _word = STYLE[meaning]
    parts = _SHAPES[symbol]
    edge = "".join(part.format(p=_paint(EDGE, width, True)) for part, width in parts)
    body = "".join(part.format(p=_paint(colour, width, False)) for part, width in parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 16 16">{edge}{body}</svg>'
    )


@cache
def glyph(meaning: str) -> str:
    """The meaning's shape in its colour, as an image (st.html drops inline <svg>);
    decorative: the word travels in the text beside it."""
    source = "data:image/svg+xml;base64," + base64.b64encode(svg(meaning).encode()).decode()
    return f'<img src="{source}" alt="" width="{SIZE}" height="{SIZE}" style="flex:none;margin-top:.2em">'
