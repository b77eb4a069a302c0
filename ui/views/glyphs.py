"""Small inline SVG shapes, one per meaning in ui.views.palette.STYLE, so HTML views mark
things by shape and colour as the plotly charts do.  Pure: meaning -> <img> markup."""

from __future__ import annotations

import base64
from functools import cache

from ui.views.palette import STYLE

SIZE = 16

# plotly symbol name -> SVG body drawn in a 16x16 box; {c} is the colour.
_OPEN = 'fill="none" stroke="{c}" stroke-width="2"'
_SHAPES = {
    "circle": '<circle cx="8" cy="8" r="6" fill="{c}"/>',
    "circle-open": f'<circle cx="8" cy="8" r="5.5" {_OPEN}/>',
    "circle-dot": f'<circle cx="8" cy="8" r="5.5" {_OPEN}/><circle cx="8" cy="8" r="2" fill="{{c}}"/>',
    "circle-x": f'<circle cx="8" cy="8" r="6" {_OPEN}/><path d="M5 5L11 11M11 5L5 11" {_OPEN}/>',
    "square": '<rect x="2" y="2" width="12" height="12" fill="{c}"/>',
    "diamond": '<path d="M8 1L15 8L8 15L1 8Z" fill="{c}"/>',
    "triangle-right": '<path d="M3 2L14 8L3 14Z" fill="{c}"/>',
    "triangle-right-open": f'<path d="M3.5 2.5L13 8L3.5 13.5Z" {_OPEN}/>',
    "triangle-left": '<path d="M13 2L2 8L13 14Z" fill="{c}"/>',
    "triangle-left-open": f'<path d="M12.5 2.5L3 8L12.5 13.5Z" {_OPEN}/>',
    "x": '<path d="M3 3L13 13M13 3L3 13" fill="none" stroke="{c}" stroke-width="3"/>',
    "x-thin-open": '<path d="M3 3L13 13M13 3L3 13" fill="none" stroke="{c}" stroke-width="1.5"/>',
    "star": '<path d="M8 1L10 6H15L11 9.5L12.5 15L8 11.5L3.5 15L5 9.5L1 6H6Z" fill="{c}"/>',
    "hexagon": '<path d="M4.5 2H11.5L15 8L11.5 14H4.5L1 8Z" fill="{c}"/>',
}


@cache
def glyph(meaning: str) -> str:
    """The meaning's shape in its colour, as an image (st.html drops inline <svg>);
    decorative: the word travels in the text beside it."""
    colour, symbol, _word = STYLE[meaning]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 16 16">'
        f"{_SHAPES[symbol].format(c=colour)}</svg>"
    )
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return f'<img src="{source}" alt="" width="{SIZE}" height="{SIZE}" style="flex:none;margin-top:.2em">'
