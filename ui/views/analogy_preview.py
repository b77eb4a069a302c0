"""The mail room under a lesson's "Analogy": the real run, paused where the scene is set.

The preview is the run's own replay document (idemlab.replay) cut at a chosen step, so
every frame and every moment label in it is the full run's: nothing is recomputed from a
shortened trace (a shortened trace has an empty log, and its moments once called a
stored letter lost).  The step is after the first envelope's receipt and its delivery
reports, and before the first moment that belongs to the experiment's answer, so the
learner cannot step into what the lesson asks them to predict.  Pure: no streamlit.
"""

from __future__ import annotations

from typing import Any

from idemlab import model as m
from idemlab.moments import key_moments

# Moments that only set the scene; any other kind is part of the experiment's answer.
SCENE_SETTING = frozenset({"new_producer_id"})


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
    return position


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
        + ". What happens next is the experiment's question: predict it below, then run it."
    )
