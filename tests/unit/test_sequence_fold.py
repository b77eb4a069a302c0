"""How the sequence diagram folds a long run (ui/views/sequence_marks.py): the
application's chatter first, then the oldest rows, and never the rows a lesson points
at: the requests on the wire together, the answers, the faults."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from idemlab import backends, lessons, scenarios
from idemlab import model as m
from ui.views import sequence_marks as sm
from ui.views.sequence_html import sequence_html

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "lessons" / "scenarios").glob("*.toml"))
WIRE = {m.REQUEST_SENT, m.RESPONSE_RECEIVED, m.BROKER_DECISION, m.FAULT_INJECTED, m.CONNECTION_CLOSED}


def lesson_trace(number: int) -> m.Trace:
    lesson = next(lesson for lesson in lessons.load_all() if lesson.number == number)
    return backends.run(lessons.scenario_for(lesson), "sim")


def texts(trace: m.Trace, position: int | None = None, size: int = sm.WINDOW) -> list[str]:
    return [mark.text for mark in sm.window(trace, position, size).marks]


def test_lesson_9s_diagram_shows_the_three_produce_requests_before_any_answer():
    shown = texts(lesson_trace(9))
    first_answer = next(i for i, text in enumerate(shown) if text.startswith(("reply #", "ack #")))
    before = shown[:first_answer]
    for request, seq in ((2, "seq 1–5"), (3, "seq 6–10"), (4, "seq 11–15")):
        assert any(text.startswith(f"#{request} Produce") and seq in text for text in before), (request, shown)
    assert shown[first_answer] == "reply #2: NOT_ENOUGH_REPLICAS"


def test_lesson_9s_page_diagram_draws_them_too():
    html = sequence_html(lesson_trace(9))
    positions = [html.index(f"#{n} Produce") for n in (2, 3, 4)] + [html.index("reply #2")]
    assert positions == sorted(positions)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_no_wire_row_is_left_out_while_chatter_could_still_fold(path):
    trace = backends.run(scenarios.load(path), "sim")
    shown = sm.window(trace)
    if not any(trace.events[i].kind in WIRE for i in range(shown.start)):
        return
    chatter = [
        not mark.folded and not mark.current and sm.is_chatter(trace.events[mark.events.start]) for mark in shown.marks
    ]
    assert not any(a and b for a, b in pairwise(chatter)), [mark.text for mark in shown.marks]


def test_a_run_that_fits_is_drawn_one_row_per_event():
    trace = lesson_trace(8)
    shown = sm.window(trace, size=len(trace.events))
    assert shown.start == 0 and not any(mark.folded for mark in shown.marks)
    assert len(shown.marks) == len(trace.events)


def test_a_folded_row_names_the_letters_and_the_rows_it_stands_for():
    shown = texts(lesson_trace(9))
    assert "App: produce(m7 … m11), waits 20 ms (6 rows folded)" in shown
    assert "App: m2 … m6 delivered (5 rows folded)" in shown


def test_the_current_row_is_never_folded():
    trace = lesson_trace(9)
    for position in range(1, len(trace.events) + 1):
        marks = sm.window(trace, position).marks
        assert marks[-1].current and not marks[-1].folded and marks[-1].events == range(position - 1, position)


def test_requests_in_flight_together_stay_even_if_the_window_grows_a_little():
    trace = lesson_trace(9)
    together = sm.together_from(trace.events)
    assert trace.events[together].get("request_no") == 2
    shown = sm.window(trace)
    assert shown.start <= together
    assert sm.WINDOW < len(shown.marks) <= sm.WINDOW + sm.WINDOW // 4


def test_the_projector_window_stays_short_even_so():
    trace = lesson_trace(9)
    assert all(len(sm.window(trace, position, size=9).marks) <= 9 for position in range(len(trace.events) + 1))


def test_a_broker_still_loading_its_producer_ids_says_so_where_its_reply_shows():
    trace = lesson_trace(9)
    reply = next(e for e in trace.events if e.kind == m.RESPONSE_RECEIVED and e.get("error"))
    text = sm.mark(reply, {}).text
    assert text.startswith("reply #1: COORDINATOR_LOAD_IN_PROGRESS")
    assert "still loading" in text and "asks again" in text


def test_a_very_long_run_is_read_from_its_latest_events_only_and_still_accounts_for_every_event():
    events = [m.Event(float(i), m.PRODUCE_CALLED, {"msg": i, "value": f"v{i}"}) for i in range(5000)]
    events += [m.Event(5000.0, m.REQUEST_SENT, {"api": m.PRODUCE, "request_no": 1, "values": ["v0"]})]
    trace = m.Trace(scenario="long", backend="sim", config={}, events=events)
    shown = sm.window(trace)
    assert shown.start >= len(events) - sm.LOOK_BACK * sm.WINDOW
    assert [i for mark in shown.marks for i in mark.events] == list(range(shown.start, len(events)))
    assert shown.marks[-1].current and shown.marks[-1].text.startswith("#1 Produce")
    assert shown.marks[0].folded and len(shown.marks) == 2
