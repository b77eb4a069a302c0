"""What the sequence diagram draws for each event: a meaning (colour, shape and word from
ui.views.palette.STYLE), where it sits (an arrow one way or the other, a note at the
producer or at the broker, a fault between them) and its label.  The one home of those
choices for both drawings (sequence_html for the pages, sequence_figure for the
projector).  Pure: Trace -> marks."""

from __future__ import annotations

from dataclasses import dataclass

from idemlab import model as m
from idemlab import words

WINDOW = 22  # rows drawn at most: the last ones up to the current position

TO_BROKER, TO_PRODUCER = "to broker", "to producer"
AT_PRODUCER, AT_BROKER, BETWEEN = "at producer", "at broker", "between"


@dataclass(frozen=True)
class Mark:
    meaning: str
    place: str
    text: str
    current: bool = False


def _request(event: m.Event) -> Mark:
    get = event.get
    meaning = "retry" if (get("attempt") or 1) > 1 else "request"
    label = f"#{get('request_no')} {'InitProducerId' if get('api') == m.INIT_PRODUCER_ID else 'Produce'}"
    if get("api") != m.INIT_PRODUCER_ID:
        label += f" [{words.values_text(event)}] {words.ids(event)}"
    return Mark(meaning, TO_BROKER, label + (" (retry)" if meaning == "retry" else ""))


def _response(event: m.Event) -> Mark:
    get = event.get
    if get("error"):
        return Mark("error", TO_PRODUCER, f"reply #{get('request_no')}: {get('error')}")
    if get("api") == m.INIT_PRODUCER_ID:
        text = f"reply #{get('request_no')}: PID {get('producer_id')} epoch {get('producer_epoch')}"
        return Mark("response", TO_PRODUCER, text)
    return Mark("response", TO_PRODUCER, f"ack #{get('request_no')}: offset {get('base_offset')}")


def _decision(event: m.Event) -> Mark:
    get = event.get
    meaning = {m.APPENDED: "appended", m.DUPLICATE: "dedup"}.get(get("result"), "rejected")
    text = {
        m.APPENDED: f"stored at offset {get('base_offset')}",
        m.DUPLICATE: f"duplicate → not stored, offset {get('base_offset')}",
    }.get(get("result"), f"rejected: {get('error')}")
    return Mark(meaning, AT_BROKER, text)


def _delivery(event: m.Event, names: dict[int, str]) -> Mark:
    get = event.get
    name = words.letter(get("msg"), get("value"), names)
    if get("error"):
        return Mark("failed", AT_PRODUCER, f"{name} failed: {get('error')}")
    return Mark("delivered", AT_PRODUCER, f"{name} delivered {words.offset_words(get('offset'))}")


def mark(event: m.Event, names: dict[int, str]) -> Mark:
    if event.kind == m.REQUEST_SENT:
        return _request(event)
    if event.kind == m.RESPONSE_RECEIVED:
        return _response(event)
    if event.kind == m.FAULT_INJECTED:
        return Mark("lost", BETWEEN, "✗ " + words.describe(event))
    if event.kind == m.CONNECTION_CLOSED:
        return Mark("lost", BETWEEN, "✗ connection closed")
    if event.kind == m.BROKER_DECISION:
        return _decision(event)
    if event.kind == m.BROKER_ACTION:
        return Mark("broker", AT_BROKER, words.describe(event))
    if event.kind == m.DELIVERY_REPORT:
        return _delivery(event, names)
    meaning = "failed" if event.kind in (m.FATAL_ERROR, m.RUN_ERROR, m.PRODUCE_REFUSED) else "producer"
    return Mark(meaning, AT_PRODUCER, words.describe(event))


@dataclass(frozen=True)
class Window:
    """The rows to draw: `marks` for events start+1 … position, the last one current."""

    start: int
    position: int
    marks: list[Mark]

    @property
    def earlier(self) -> str:
        return f"… {self.start} earlier events (see the table)" if self.start else ""


def window(trace: m.Trace, position: int | None = None, size: int = WINDOW) -> Window:
    position = len(trace.events) if position is None else max(0, min(position, len(trace.events)))
    start = max(0, position - size)
    names = words.letter_names(trace.events)
    marks = []
    for i, event in enumerate(trace.events[start:position]):
        base = mark(event, names)
        marks.append(Mark(base.meaning, base.place, base.text, current=start + i + 1 == position))
    return Window(start, position, marks)
