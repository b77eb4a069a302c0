"""What the sequence diagram draws for each event: a meaning (colour, shape and word from
ui.views.palette.STYLE), where it sits (an arrow one way or the other, a note at the
producer or at the broker, a fault between them) and its label.  The one home of those
choices for both drawings (sequence_html for the pages, sequence_figure for the
projector).  Pure: Trace -> marks.

A run longer than the window is folded, never cut blindly: first each stretch of the
application's own repetitive chatter (produce() calls, waits, flush(), delivery reports
that say delivered) becomes one row naming what it folds, oldest first, only as far as
needed; only then do the oldest rows give way ("… n earlier events").  Requests, answers,
faults and the broker's decisions are what lessons point at, so they are the last to go."""

from __future__ import annotations

from dataclasses import dataclass

from idemlab import model as m
from idemlab import timeline, words
from idemlab.words import COORDINATOR_LOAD_IN_PROGRESS

WINDOW = 22  # rows drawn at most: the last ones up to the current position
LOOK_BACK = 16  # a window reads at most this many times its size of the latest events (long runs stay quick)
CHATTER = frozenset({m.PRODUCE_CALLED, m.WAIT, m.FLUSH})  # and a delivery report without error

TO_BROKER, TO_PRODUCER = "to broker", "to producer"
AT_PRODUCER, AT_BROKER, BETWEEN = "at producer", "at broker", "between"


@dataclass(frozen=True)
class Mark:
    meaning: str
    place: str
    text: str
    current: bool = False
    events: range = range(0)  # the trace's events this row draws: more than one when folded

    @property
    def folded(self) -> int:
        return len(self.events) if len(self.events) > 1 else 0


def _request(event: m.Event) -> Mark:
    get = event.get
    meaning = "retry" if (get("attempt") or 1) > 1 else "request"
    label = f"#{get('request_no')} {'InitProducerId' if get('api') == m.INIT_PRODUCER_ID else 'Produce'}"
    if get("api") != m.INIT_PRODUCER_ID:
        label += f" [{words.values_text(event)}] {words.ids(event)}"
    return Mark(meaning, TO_BROKER, label + (" (retry)" if meaning == "retry" else ""))


def _response(event: m.Event) -> Mark:
    get = event.get
    if get("error") == COORDINATOR_LOAD_IN_PROGRESS and get("api") == m.INIT_PRODUCER_ID:
        # what a real broker answers right after it starts: said where it shows, in the describer's words
        return Mark("error", TO_PRODUCER, f"reply #{get('request_no')}: " + words.describe(event).split(": ", 1)[1])
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


def is_chatter(event: m.Event) -> bool:
    return event.kind in CHATTER or (event.kind == m.DELIVERY_REPORT and not event.get("error"))


def _span(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"


def fold_text(events: list[m.Event], names: dict[int, str]) -> str:
    """One line for a stretch of chatter: 'App: produce(m2 … m6), waits 20 ms (6 rows folded)'."""
    parts: list[tuple[str, list[str]]] = []
    for event in events:
        kind = event.kind
        said = (
            str(event.get("wait_ms")) if kind == m.WAIT else words.letter(event.get("msg"), event.get("value"), names)
        )
        if parts and parts[-1][0] == kind and kind in (m.PRODUCE_CALLED, m.DELIVERY_REPORT):
            parts[-1][1].append(said)
        else:
            parts.append((kind, [said]))
    shown = {
        m.PRODUCE_CALLED: lambda said: f"produce({_span(said)})",
        m.DELIVERY_REPORT: lambda said: f"{_span(said)} delivered",
        m.WAIT: lambda said: f"waits {said[0]} ms",
        m.FLUSH: lambda said: "flush()",
    }
    return f"App: {', '.join(shown[kind](said) for kind, said in parts)} ({len(events)} rows folded)"


def _fold_chatter(events: list[m.Event], rows: list[Mark], size: int, names: dict[int, str]) -> list[Mark]:
    """Folds stretches of two or more chatter rows into one, oldest first, until the rows
    fit `size` or no stretch is left; the current row is never folded.  `rows` draw
    `events` one each, in order."""
    offset = rows[0].events.start if rows else 0
    stretches, run = [], []
    for i, row in enumerate(rows):
        if not row.current and is_chatter(events[i]):
            run.append(i)
            continue
        if len(run) > 1:
            stretches.append(run)
        run = []
    if len(run) > 1:
        stretches.append(run)
    excess, folds = len(rows) - size, {}
    for stretch in stretches:
        if excess <= 0:
            break
        folds[stretch[0]] = stretch
        excess -= len(stretch) - 1
    out, skip = [], set()
    for i, row in enumerate(rows):
        if i in folds:
            first, last = folds[i][0], folds[i][-1]
            text = fold_text(events[first : last + 1], names)
            out.append(Mark("producer", AT_PRODUCER, text, events=range(offset + first, offset + last + 1)))
            skip.update(folds[i])
        elif i not in skip:
            out.append(row)
    return out


def together_from(events: list[m.Event]) -> int | None:
    """Where the latest stretch of two or more Produce requests in flight at once begins:
    the index of the send of the oldest of them (None if one was never joined by another),
    read from the one fold of the trace (idemlab.timeline)."""
    begins, before = None, 0
    for state in timeline.states(events):
        if len(state.in_flight) > 1 and before < 2:
            oldest = state.in_flight[0][1].request
            begins = next(i for i, event in enumerate(events) if event is oldest)
        before = len(state.in_flight)
    return begins


def _rows_left_out(events: list[m.Event], offset: int, rows: list[Mark], size: int) -> int:
    """How many of the oldest rows give way so the rest fit `size`; the rows of requests
    in flight together are kept even so, a page's window growing by up to a quarter (a
    projector's shorter one must fit its slide, and it is stepped, so it does not grow)."""
    cut = max(0, len(rows) - size)
    together = together_from(events)
    if together is None or not cut:
        return cut
    together += offset
    first_together = next(i for i, row in enumerate(rows) if row.events.stop > together)
    extra = size // 4 if size >= WINDOW else 0
    return max(min(cut, first_together), len(rows) - size - extra, 0)


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
    """The rows ending at `position`: every event when they fit `size`, otherwise chatter
    folded first, then the oldest rows left out."""
    position = len(trace.events) if position is None else max(0, min(position, len(trace.events)))
    offset = max(0, position - LOOK_BACK * max(size, 1))
    events = trace.events[offset:position]
    names = words.letter_names(trace.events)
    rows = []
    for i, event in enumerate(events, offset):
        base = mark(event, names)
        rows.append(Mark(base.meaning, base.place, base.text, current=i + 1 == position, events=range(i, i + 1)))
    if len(rows) > size:
        rows = _fold_chatter(events, rows, size, names)
        rows = rows[_rows_left_out(events, offset, rows, size) :]
    start = rows[0].events.start if rows else position
    return Window(start, position, rows)
