"""The sequence diagram as HTML: two lifelines, one row per event, arrows between the
producer and the broker, notes beside each lifeline, faults marked between them; a long
run folded as sequence_marks decides (the application's chatter first, in italics).

Drawn with plain HTML and CSS (st.html), so it needs no charting script (Plotly's is
4.6 MB and made the first opening take seconds), its labels are real text that wraps
instead of being clipped at any width, and it follows the light or dark theme by
inheriting the page's text colour.  Every mark has its Okabe-Ito colour, a shape (the
arrowhead or note glyph; dashed lines for retries and error replies) and a word, so
nothing is told by colour alone.  Pure: Trace + position -> HTML.  Its text
alternative is the events table beside it."""

from __future__ import annotations

from ui.views import safe
from ui.views import sequence_marks as sm
from ui.views.glyphs import glyph
from ui.views.html_style import SCREEN_READER_ONLY
from ui.views.palette import GREY, ROW_TINT, STYLE

LIFELINE = "2.25rem"  # half the width of a lifeline's column: where its dotted line runs
DASHED = ("retry", "error")

_COLOURS = "".join(f".idl-seq .m-{meaning}{{--c:{colour}}}" for meaning, (colour, _s, _w) in STYLE.items())
_DOTS = f"linear-gradient({GREY} 50%,transparent 0)"
CSS = (
    "<style>"
    ".idl-seq{margin:0 0 .5rem;padding:.3rem 0;max-width:64rem;font-size:.92rem;line-height:1.35}"
    ".idl-seq-head,.idl-seq li{display:grid;grid-template-columns:4.5rem minmax(0,1fr) 4.5rem;align-items:center}"
    ".idl-seq-head{font-weight:700;text-align:center;padding-bottom:.2rem}"
    ".idl-seq-head span:nth-child(2){grid-column:3}"
    ".idl-seq-earlier{margin:0;text-align:center;font-size:.85rem}"
    ".idl-seq.idl-seq-large{font-size:1.5rem;max-width:none}.idl-seq.idl-seq-large li{font-size:1.4rem}"
    ".idl-seq-large .idl-seq-earlier{font-size:1.2rem}"
    ".idl-seq ol{list-style:none;margin:0;padding:0}"
    f".idl-seq li{{margin:0;padding:.15rem 0;min-height:2.1rem;background-image:{_DOTS},{_DOTS};"
    f"background-size:2px 8px;background-repeat:repeat-y;"
    f"background-position:calc({LIFELINE} - 1px) 0,calc(100% - {LIFELINE} - 1px) 0}}"
    f".idl-seq li.now{{background-color:{ROW_TINT['current']};font-weight:700}}"
    ".idl-seq-text{overflow-wrap:break-word;padding:0 .4rem}"
    ".idl-seq li.folded .idl-seq-text{font-style:italic}"
    ".idl-seq-mark{justify-self:center;display:flex}"
    ".idl-seq-mark img{margin:0!important;background:inherit}"
    ".idl-seq li.now .idl-seq-mark img{width:22px;height:22px}"
    ".idl-seq .at-producer .idl-seq-text{grid-column:2;text-align:left}"
    ".idl-seq .at-broker .idl-seq-mark{grid-column:3;grid-row:1}"
    ".idl-seq .at-broker .idl-seq-text{grid-column:2;grid-row:1;text-align:right}"
    ".idl-seq .between .idl-seq-mark{grid-column:2;align-items:center}"
    f".idl-seq-arrow{{grid-column:1/4;margin:0 {LIFELINE};text-align:center}}"
    ".idl-seq-shaft{display:flex;align-items:center;height:16px}"
    ".idl-seq-shaft::before{content:'';flex:1;border-top:2px solid var(--c)}"
    ".idl-seq li.now .idl-seq-shaft::before{border-top-width:4px}"
    ".idl-seq .to-producer .idl-seq-shaft{flex-direction:row-reverse}"
    ".idl-seq .dashed .idl-seq-shaft::before{border-top-style:dashed}"
    ".idl-seq-shaft img{margin:0!important}" + _COLOURS + SCREEN_READER_ONLY + "</style>"
)


def _label(mark: sm.Mark) -> str:
    """Escaped text (a message value comes from the learner), with a line-break chance
    after each underscore so a long error code wraps between its words."""
    said = f"{STYLE[mark.meaning][2]} ({mark.place}): "
    text = safe.html(mark.text.removeprefix("✗ ")).replace("_", "_<wbr>")  # the glyph draws the ✗
    return f'<span class="idl-seq-text"><span class="idl-sr">{safe.html(said)}</span>{text}</span>'


def _row(mark: sm.Mark) -> str:
    place = mark.place.replace(" ", "-")
    classes = (
        [place, f"m-{mark.meaning}"]
        + (["dashed"] if mark.meaning in DASHED else [])
        + (["now"] if mark.current else [])
        + (["folded"] if mark.folded else [])
    )
    current = ' aria-current="step"' if mark.current else ""
    if mark.place in (sm.TO_BROKER, sm.TO_PRODUCER):
        body = (
            f'<div class="idl-seq-arrow">{_label(mark)}<span class="idl-seq-shaft">{glyph(mark.meaning)}</span></div>'
        )
    elif mark.place == sm.BETWEEN:  # on the wire: the mark beside its words, mid-way
        body = f'<span class="idl-seq-mark">{glyph(mark.meaning)}{_label(mark)}</span>'
    else:
        body = f'<span class="idl-seq-mark">{glyph(mark.meaning)}</span>{_label(mark)}'
    return f'<li class="{" ".join(classes)}"{current}>{body}</li>'


def sequence_html(trace, position: int | None = None, window: int = sm.WINDOW, *, large: bool = False) -> str:
    shown = sm.window(trace, position, window)
    earlier = f'<p class="idl-seq-earlier">{safe.html(shown.earlier)}</p>' if shown.start else ""
    rows = "".join(_row(mark) for mark in shown.marks)
    refused = not getattr(trace, "events", None) and getattr(trace, "run_error", None)
    said = "Nothing was sent: the run ended before any request." if refused else "No events yet."
    empty = f'<p class="idl-seq-earlier">{said}</p>' if not shown.marks else ""
    return (
        f'{CSS}<figure class="idl-seq{" idl-seq-large" if large else ""}" aria-label="Sequence diagram: producer and broker, one row per event">'
        f'<div class="idl-seq-head"><span>Producer</span><span>Broker</span></div>'
        f"{earlier}<ol>{rows}</ol>{empty}</figure>"
    )
