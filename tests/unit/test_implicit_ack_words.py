"""A letter refused, then reported delivered with no offset (librdkafka's implicit
acknowledgement, lesson 6's m3): the explanation under the run says why, from the trace
alone, so a real run's reports (no implicit_ack flag) get the same words."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from idemlab import model, scenarios, sim
from idemlab.explain import explain
from idemlab.implicit_acks import acknowledging_answer
from idemlab.timeline import fold

ROOT = Path(__file__).resolve().parents[2]
SAID = (
    "Yet m3 was reported delivered, with no offset: when the answer to m4 came back OK, librdkafka counted every "
    "earlier letter it had not acknowledged yet as delivered too, since the broker takes a sender's numbers only "
    "in order."
)


def _broker_restart() -> model.Trace:
    return sim.run(scenarios.load(str(ROOT / "lessons/scenarios/broker-restart.toml")))


def _msg(trace: model.Trace, value: str) -> int:
    return next(e.get("msg") for e in trace.events if e.kind == model.PRODUCE_CALLED and e.get("value") == value)


def as_the_real_back_end_reports(trace: model.Trace) -> model.Trace:
    """The trace without the simulator's implicit_ack flag: a real run's reports say only 'no offset'."""
    events = [
        model.Event(e.t_ms, e.kind, dataclasses.replace(e.detail, implicit_ack=None))
        if e.kind == model.DELIVERY_REPORT
        else e
        for e in trace.events
    ]
    return dataclasses.replace(trace, events=events, backend="kafka")


def test_the_answer_that_acknowledged_m3_implicitly_came_after_its_refusal_and_before_its_report():
    for trace in (_broker_restart(), as_the_real_back_end_reports(_broker_restart())):
        events, state = trace.events, fold(trace.events)
        m2, m3 = (_msg(trace, value) for value in ("m2", "m3"))
        refused = next(i for i, e in enumerate(events) if e.get("result") == model.REJECTED and m3 in e.get("msgs"))
        at = acknowledging_answer(events, state, m3, refused)
        assert at is not None and events[at].kind == model.RESPONSE_RECEIVED and events[at].get("error") is None
        report = next(i for i, e in enumerate(events) if e.kind == model.DELIVERY_REPORT and e.get("msg") == m3)
        assert refused < at < report
        assert acknowledging_answer(events, state, m2, refused) is None  # m2 is reported failed
        assert acknowledging_answer(events, state, m3, report) is None  # nothing acknowledges it after its report


def test_the_explanation_says_why_a_refused_letter_is_reported_delivered():
    for trace in (_broker_restart(), as_the_real_back_end_reports(_broker_restart())):
        sentences = explain(trace)
        [m3] = [s for s in sentences if s.startswith("The post office refused the retry of m3 ")]
        assert m3.endswith(" " + SAID), m3
        assert not any("Yet m2" in s for s in sentences)  # m2 is reported failed


def test_no_implicit_acknowledgement_is_told_when_no_answer_came_after_the_refusal():
    trace = _broker_restart()
    m4_ok = next(
        i
        for i, e in enumerate(trace.events)
        if e.kind == model.RESPONSE_RECEIVED and e.get("api") == model.PRODUCE and e.get("request_no") == 7
    )
    answered_before = dataclasses.replace(trace, events=[e for i, e in enumerate(trace.events) if i != m4_ok])
    assert not any("Yet m3" in s for s in explain(answered_before))
