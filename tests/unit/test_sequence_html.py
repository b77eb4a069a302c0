"""The sequence diagram as HTML (ui/views/sequence_html.py): one row per event in its
window (the application's chatter folded first), the current one marked, every mark with a shape and a word (never colour alone),
every label escaped and the same words as its alternative, the events table."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from idemlab import backends, scenarios, tables
from idemlab import model as m
from ui.views import sequence_marks as sm
from ui.views.palette import STYLE
from ui.views.sequence_html import sequence_html

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "lessons" / "scenarios").glob("*.toml"))
WORDS = {word for _colour, _symbol, word in STYLE.values()}
FOLDABLE = {m.PRODUCE_CALLED, m.WAIT, m.FLUSH, m.DELIVERY_REPORT}


class _Rows(HTMLParser):
    """Each <li> of the diagram: its classes, its visible text, its screen-reader words,
    how many glyph images it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li":
            self.rows.append({"classes": attrs["class"].split(), "current": attrs.get("aria-current"), "text": ""})
            self.rows[-1].update(said="", glyphs=0)
        elif self.rows and tag == "img":
            self.rows[-1]["glyphs"] += 1
        elif self.rows and tag == "span" and (self.hidden_depth or attrs.get("class") == "idl-sr"):
            self.hidden_depth += 1

    def handle_endtag(self, tag):
        if tag == "span" and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if self.rows:
            self.rows[-1]["said" if self.hidden_depth else "text"] += data


def rows(html: str) -> list[dict]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def trace_of(path: Path) -> m.Trace:
    return backends.run(scenarios.load(path), "sim")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_diagram_and_the_events_table_agree_at_every_step(path):
    trace = trace_of(path)
    for position in range(len(trace.events) + 1):
        drawn = rows(sequence_html(trace, position))
        shown = sm.window(trace, position)
        table = tables.events_frame(trace.events, position)
        assert len(drawn) == len(shown.marks), (path.stem, position)
        for row, mark in zip(drawn, shown.marks, strict=True):
            text = row["text"].replace("\u200b", "")
            if mark.folded:
                assert f"({mark.folded} rows folded)" in text, (path.stem, position, text)
                assert {trace.events[i].kind for i in mark.events} <= FOLDABLE, (path.stem, position)
                assert not any(trace.events[i].get("error") for i in mark.events), (path.stem, position)
                assert "now" not in row["classes"] and "folded" in row["classes"]
                continue
            event = table.iloc[mark.events.start]
            if event["error"]:
                assert event["error"] in text, (path.stem, position, text)
            if event["request"] and text.startswith(("#", "reply #", "ack #")):
                assert f"#{event['request']}" in text, (path.stem, position, text)
            assert (row["current"] == "step") == (event["now"] != ""), (path.stem, position)
            assert ("now" in row["classes"]) == (event["now"] != "")
        drawn_events = [i for mark in shown.marks for i in mark.events]
        assert drawn_events == list(range(shown.start, position)), (path.stem, position)  # in order, none twice
        earlier = "earlier events (see the table)" in sequence_html(trace, position)
        assert earlier == (shown.start > 0), (path.stem, position)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_mark_has_a_shape_and_a_word_not_only_a_colour(path):
    for row in rows(sequence_html(trace_of(path))):
        assert row["glyphs"] == 1, row
        word = row["said"].split(" (")[0]
        assert word in WORDS, row
        assert re.search(r"\((to|at) (producer|broker)\)|\(between\)", row["said"]), row


def test_a_message_value_with_markup_is_shown_as_text():
    trace = m.Trace(
        scenario="hostile",
        backend="sim",
        config={},
        events=[
            m.Event(0.0, m.PRODUCE_CALLED, {"msg": 1, "value": "<img src=x onerror=alert(1)>"}),
            m.Event(1.0, m.DELIVERY_REPORT, {"msg": 1, "value": "<b>m1</b>", "error": "A_B"}),
        ],
    )
    html = sequence_html(trace)
    assert "<img src=x" not in html and "<b>m1" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_long_error_code_may_wrap_between_its_words_only():
    trace = m.Trace(
        scenario="x",
        backend="sim",
        config={},
        events=[m.Event(0.0, m.RESPONSE_RECEIVED, {"request_no": 1, "error": "NOT_ENOUGH_REPLICAS_AFTER_APPEND"})],
    )
    assert "NOT_<wbr>ENOUGH_<wbr>REPLICAS_<wbr>AFTER_<wbr>APPEND" in sequence_html(trace)


def test_a_trace_without_events_says_so():
    assert "No events yet." in sequence_html(m.Trace(scenario="x", backend="sim", config={}), 0)


def test_a_run_refused_before_any_request_says_nothing_was_sent():
    from idemlab import lessons, sim

    trace = sim.run(lessons.scenario_for(lessons.load("switching-it-on")))
    assert not trace.events and trace.run_error
    html = sequence_html(trace, len(trace.events))
    assert "Nothing was sent" in html and "No events yet" not in html
