"""The mail room under a lesson's "Analogy": the real run, paused where the scene is set.

The preview is the run's own replay document (idemlab.replay) cut at a chosen step, so
every frame and every moment label in it is the full run's: nothing is recomputed from a
shortened trace (a shortened trace has an empty log, and its moments once called a
stored letter lost).  The step is after the first envelope's receipt and its delivery
reports, or later where more envelopes are in the post together (a lesson about requests
in flight sets its scene there), and always before the first moment that belongs to the
experiment's answer, so the learner cannot step into what the lesson asks them to
predict.  A lesson whose experiment is about how the producer starts gets no picture at
all: any frame of its run shows that (pictured).  Pure: no streamlit.
"""

from __future__ import annotations

from typing import Any

from idemlab import model as m
from idemlab import replay, words
from idemlab.moments import key_moments
from ui.views.in_flight import requests_in_flight

# Moments that only set the scene; any other kind is part of the experiment's answer.
SCENE_SETTING = frozenset({"new_producer_id"})
# Expectations about how the producer starts: how often it asks for a producer id (none when
# idempotence is off), or the error that refused to create it.
ABOUT_THE_START = frozenset({"producer_id_assignments", "config_error"})


def pictured(lesson) -> bool:
    """Whether the lesson shows its run's picture before the run.  Not where the lesson
    expects something of how the producer starts: its prediction asks about that (whether
    the producer is created, whether idempotence is on, its producer id request), and every
    frame of the run shows it in the sender's badge ("PID 0 · epoch 0" or "no PID
    (idempotence off)"), its notebook or the id request's moment."""
    return not ABOUT_THE_START & set(lesson.expect)


def scene_position(lesson, trace: m.Trace) -> int:
    """Events the lesson's picture shows before the run, 0 for no picture."""
    return pause_position(trace) if pictured(lesson) else 0


def pause_position(trace: m.Trace) -> int:
    """Events shown in the preview: up to the first produce request's answer and the
    delivery reports it brings, but never up to an answer moment; 0 when the run sends no
    letter (a producer refused at creation)."""
    answer = next((i for i, e in enumerate(trace.events) if _is_produce_answer(e)), None)
    if answer is None:
        return 0
    position = answer + 1
    while position < len(trace.events) and trace.events[position].kind == m.DELIVERY_REPORT:
        position += 1
    first_answer_moment = next((mo.event for mo in key_moments(trace) if mo.kind not in SCENE_SETTING), None)
    if first_answer_moment is not None:
        position = min(position, first_answer_moment)
    return max(position, _most_in_flight(trace, position, first_answer_moment))


def _most_in_flight(trace: m.Trace, after: int, before: int | None) -> int:
    """The latest position up to `before` with the most requests in the post together,
    when that is two or more and more than at `after`; otherwise `after`."""
    counts = [len(keys) for keys in requests_in_flight(replay.replay(trace))]
    last = len(counts) - 1 if before is None else min(before, len(counts) - 1)
    most = max(counts[after : last + 1], default=0)
    if most < 2 or most <= counts[after]:
        return after
    return max(position for position in range(after, last + 1) if counts[position] == most)


def _is_produce_answer(event: m.Event) -> bool:
    return event.kind == m.RESPONSE_RECEIVED and event.get("api", m.PRODUCE) == m.PRODUCE


def paused(document: dict[str, Any], position: int) -> dict[str, Any]:
    """The run's replay `document` cut after `position` events: the same frames and the
    same moments (those at or before the pause), opening at the start."""
    position = max(0, min(int(position), len(document["events"])))
    return {
        **document,
        "events": document["events"][:position],
        "frames": document["frames"][: position + 1],
        "moments": [mo for mo in document["moments"] if mo["event"] < position],
        "start": 0,
        "truncated": False,
    }


def caption(trace: m.Trace, position: int) -> str:
    """What the preview shows, in words read off the events it shows."""
    shown = trace.events[:position]
    request = next((e for e in shown if e.kind == m.REQUEST_SENT and e.get("api", m.PRODUCE) == m.PRODUCE), None)
    if request is None:
        return ""
    number = request.get("request_no")

    def about_it(kind: str) -> m.Event | None:
        return next(
            (
                e
                for e in shown
                if e.kind == kind and e.get("request_no") == number and e.get("api", m.PRODUCE) == m.PRODUCE
            ),
            None,
        )

    steps = ["registers for its producer id"] if any(e.kind == m.PRODUCER_ID_ASSIGNED for e in shown) else []
    values = [str(v) for v in request.get("values") or ()]
    steps.append(f"posts its first envelope ({', '.join(values) or 'empty'})")
    decision, answer = about_it(m.BROKER_DECISION), about_it(m.RESPONSE_RECEIVED)
    if decision is not None and decision.get("result") == m.APPENDED:
        first = decision.get("base_offset") or 0
        where = f"offset {first}" if len(values) < 2 else f"offsets {first}–{first + len(values) - 1}"
        steps.append(f"the post office files {'it' if len(values) < 2 else 'them'} on the shelf at {where}")
    if answer is not None:
        steps.append("a receipt comes back" + (f" ({answer.get('error')})" if answer.get("error") else ""))
    reports = sum(1 for e in shown if e.kind == m.DELIVERY_REPORT)
    if reports:
        steps.append(
            "the application gets " + ("its delivery report" if reports == 1 else f"{reports} delivery reports")
        )
    return (
        "The start of this lesson's experiment, paused there: the producer "
        + ", ".join(steps[:-1])
        + (" and " if len(steps) > 1 else "")
        + steps[-1]
        + "."
        + _more_envelopes(shown, number)
        + _following(trace.events, position)
        + " What happens next is the experiment's question: predict it below, then run it."
    )


def _more_envelopes(shown: list[m.Event], first: object) -> str:
    """' Then it posts 2 more envelopes, m2–m6 and m7–m11, with no receipt back yet. Meanwhile …'
    for the envelopes sent after the first one, when the pause is where they are in the post."""
    later = [
        e
        for e in shown
        if e.kind == m.REQUEST_SENT and e.get("api", m.PRODUCE) == m.PRODUCE and e.get("request_no") != first
    ]
    if not later:
        return ""
    numbers = {e.get("request_no") for e in later}
    spans = [_span([str(v) for v in e.get("values") or ()]) for e in later]
    names = spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1]
    answered = any(
        e.kind == m.RESPONSE_RECEIVED and _is_produce_answer(e) and e.get("request_no") in numbers for e in shown
    )
    stored = [e for e in shown if e.kind == m.BROKER_DECISION and e.get("request_no") in numbers]
    text = f" Then it posts {len(later)} more envelope{'s' if len(later) > 1 else ''}, {names}"
    if stored and all(e.get("result") == m.APPENDED for e in stored) and len(stored) == len(later):
        text += ", which the post office files on the shelf"
    text += "" if answered else ", with no receipt back yet"
    faults = _faults_in_words([e for e in shown if e.kind == m.FAULT_INJECTED])
    return text + "." + (f" Meanwhile {'; '.join(faults)}." if faults else "")


# The words for one fault told of several requests at once, by the fault's action.
_SAME_FAULT = {
    m.DELAY: lambda numbers, e: f"the answers to requests {numbers} are each held up {e.get('delay_ms')} ms",
    m.DROP_RESPONSE: lambda numbers, e: f"the answers to requests {numbers} are lost on the way back",
    m.DROP_REQUEST: lambda numbers, e: f"requests {numbers} are lost on the way; the broker never sees them",
}


def _faults_in_words(faults: list[m.Event]) -> list[str]:
    """Each fault in words, the same fault on several requests told once for all of them:
    'the answers to requests #2, #3 and #4 are each held up 60000 ms'."""
    groups: dict[tuple, list[m.Event]] = {}
    for e in faults:
        groups.setdefault((e.get("action"), e.get("error"), e.get("delay_ms"), e.get("api")), []).append(e)
    told = []
    for (action, _error, _delay, _api), same in groups.items():
        if len(same) > 1 and action in _SAME_FAULT:
            numbers = words.and_list([f"#{e.get('request_no')}" for e in same])
            told.append(_SAME_FAULT[action](numbers, same[0]))
        else:
            told += [words.describe(e).removeprefix("Fault: ") for e in same]
    return told


def _following(events: list[m.Event], position: int) -> str:
    """' After this pause, another envelope follows before any receipt is back: m12–m16.' for the
    produce requests first sent after the pause while the ones shown are still unanswered."""
    sent = {e.get("request_no") for e in events[:position] if _is_first_produce(e)}
    answered = {e.get("request_no") for e in events[:position] if _is_produce_answer(e)}
    if not sent - answered:
        return ""
    following = []
    for e in events[position:]:
        if _is_produce_answer(e):
            break
        if _is_first_produce(e):
            following.append(_span([str(v) for v in e.get("values") or ()]))
    if not following:
        return ""
    if len(following) == 1:
        return f" After this pause, another envelope follows before any receipt is back: {following[0]}."
    return f" After this pause, {len(following)} more follow before any receipt is back: {words.and_list(following)}."


def _is_first_produce(event: m.Event) -> bool:
    return (
        event.kind == m.REQUEST_SENT and event.get("api", m.PRODUCE) == m.PRODUCE and (event.get("attempt") or 1) == 1
    )


def _span(values: list[str]) -> str:
    return values[0] if len(values) == 1 else f"{values[0]}–{values[-1]}" if values else "empty"
