"""Key moments and the order of events, on every shipped scenario (simulator)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from idemlab import lessons, model, report, scenarios, sim, words
from idemlab.moments import KINDS, Moment, key_moments
from idemlab.outcome import summarize
from tests.unit.test_implicit_ack_words import as_the_real_back_end_reports  # one way to strip the flag

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(ROOT.glob("lessons/scenarios/*.toml")) + sorted(ROOT.glob("tests/scenarios/*.toml"))
LESSONS = lessons.load_all()


def run_file(path: Path, **overrides) -> model.Trace:
    scenario = scenarios.load(str(path))
    if overrides:
        scenario = scenarios.apply_overrides(scenario, list(overrides.items()))
    return sim.run(scenario)


@pytest.fixture(scope="module", params=[(p, idem) for p in SHIPPED for idem in (None, True, False)], ids=str)
def trace(request) -> model.Trace:
    path, idem = request.param
    return run_file(path) if idem is None else run_file(path, **{"enable.idempotence": idem})


def test_moments_are_well_formed(trace):
    moments = key_moments(trace)
    assert all(isinstance(mo, Moment) and mo.kind in KINDS for mo in moments)
    assert [mo.event for mo in moments] == sorted(mo.event for mo in moments)
    assert all(0 <= mo.event < len(trace.events) for mo in moments)
    for mo in moments:
        assert mo.text and mo.text[-1] in ".)", mo
        assert "None" not in mo.text and "offset -1" not in mo.text, mo


def test_every_lesson_run_has_at_most_ten_moments():
    for lesson in LESSONS:
        trace = sim.run(lessons.scenario_for(lesson))
        assert len(key_moments(trace)) <= 10, lesson.slug


def kinds(name: str, **overrides) -> list[str]:
    return [mo.kind for mo in key_moments(run_file(ROOT / f"lessons/scenarios/{name}.toml", **overrides))]


def test_lesson_two_points_at_the_caught_duplicate():
    trace = run_file(ROOT / "lessons/scenarios/lost-ack.toml", **{"enable.idempotence": True})
    moments = key_moments(trace)
    assert [mo.kind for mo in moments] == ["new_producer_id", "ack_lost", "retry", "duplicate_caught"]
    caught = moments[-1]
    event = trace.events[caught.event]
    assert event.kind == model.BROKER_DECISION and event.get("result") == model.DUPLICATE
    assert caught.text == (
        "The broker already has m2 (PID 0, seq 1) on the shelf at offset 1: "
        "it keeps one copy and answers with that offset."
    )
    lost = trace.events[moments[1].event]
    assert lost.kind == model.FAULT_INJECTED and "stored it at offset 1" in moments[1].text
    assert summarize(trace).duplicates_caught == 1
    assert "The broker recognised 1 retry of what it already had and did not store it again." in (
        summarize(trace).sentence()
    )


@pytest.mark.parametrize(
    ("name", "overrides", "expected"),
    [
        ("lost-ack", {}, ["ack_lost", "retry", "duplicate_stored"]),
        ("lost-request", {}, ["request_lost", "retry"]),
        ("reorder", {}, ["refusal", "reordered", "retry"]),
        ("reorder-idempotent", {}, ["new_producer_id", "sequence_refused", "epoch_bump", "retry", "retry"]),
        ("new-partition-loss", {}, ["new_producer_id", "delivered_not_stored"]),
        ("producer-restart", {}, ["new_producer_id", "producer_restart", "new_producer_id", "resend"]),
        ("message-too-large", {}, ["new_producer_id", "lost", "epoch_bump"]),
        ("timeout-but-stored", {}, ["new_producer_id", "failed_but_stored", "epoch_bump"]),
    ],
)
def test_moments_of_a_scenario(name, overrides, expected):
    assert kinds(name, **overrides) == expected


def test_broker_failures_and_expiry_are_moments():
    restart = kinds("broker-restart")
    assert {"broker_down", "broker_up", "fatal_error", "failed_but_stored", "duplicate_caught"} <= set(restart)
    assert "expired" in kinds("producer-expiry-late-retry")
    assert "duplicate_stored" in kinds("producer-expiry-late-retry")
    leader = [mo.kind for mo in key_moments(run_file(ROOT / "tests/scenarios/leader-change.toml"))]
    assert "leader_change" in leader
    assert "duplicate_caught" in kinds("leader-failover")
    assert "duplicate_stored" not in kinds("leader-failover-unreplicated")  # x ends up stored once


def test_cross_partition_duplicate_is_a_stored_duplicate_after_an_epoch_bump():
    found = kinds("cross-partition-duplicate")
    assert found.index("epoch_bump") < found.index("duplicate_stored")


def test_json_carries_moments_and_duplicates_caught():
    trace = run_file(ROOT / "lessons/scenarios/lost-ack.toml", **{"enable.idempotence": True})
    doc = json.loads(report.to_json(trace, include_events=True, indent=None))
    assert doc["duplicates_caught"] == 1
    assert doc["moments"] == [mo.to_dict() for mo in key_moments(trace)]
    caught = doc["moments"][-1]
    assert doc["events"][caught["event"]]["kind"] == model.BROKER_DECISION
    assert doc["events"][caught["event"]]["result"] == model.DUPLICATE


# ---- the trace tells events in the order they happen ---------------------------------


def test_a_lost_answer_is_told_after_the_brokers_decision(trace):
    events = trace.events
    for i, fault in enumerate(events):
        if fault.kind != model.FAULT_INJECTED or fault.get("api") != model.PRODUCE:
            continue
        number = fault.get("request_no")
        sent = [j for j, e in enumerate(events[:i]) if e.kind == model.REQUEST_SENT and e.get("request_no") == number]
        assert sent, f"fault {i} before its request"
        decided = [j for j, e in enumerate(events) if e.kind == model.BROKER_DECISION and e.get("request_no") == number]
        if fault.get("action") in (model.DROP_RESPONSE, model.DELAY, model.DISCONNECT):
            assert decided and decided[0] < i, f"fault {i} ({fault.get('action')}) before the broker decided"
        else:
            assert not decided or decided[0] > i


def test_each_fact_is_told_once(trace):
    """The producer id is told by one event, and a closed connection does not repeat its fault."""
    texts = [words.describe(e) for e in trace.events]
    for event in trace.events:
        if event.kind == model.PRODUCER_ID_ASSIGNED:
            told = f"PID {event.get('producer_id')}, epoch {event.get('producer_epoch')}"
            assert sum(told in text for text in texts) == 1, told
    for text in texts:
        assert "(fault)" not in text and "offset None" not in text and "offset -1" not in text


def test_the_opening_coordinator_load_is_explained(trace):
    for event in trace.events:
        if event.get("error") == "COORDINATOR_LOAD_IN_PROGRESS" and event.kind == model.RESPONSE_RECEIVED:
            assert "loading its block of producer ids" in words.describe(event)
            break


def test_the_outcome_line_says_what_it_counts():
    trace = run_file(ROOT / "lessons/scenarios/lost-ack.toml")
    assert summarize(trace).sentence().startswith("3 produced, 3 acknowledged, 4 stored, 1 duplicate")


def test_a_refused_retry_of_a_stored_letter_is_not_told_as_nothing_stored():
    """broker-restart: the retries of m2 and m3 are refused, but both letters are on the
    shelf from their first send; the story must not say they are absent."""
    from idemlab import scenarios, sim
    from idemlab.explain import explain

    trace = sim.run(scenarios.load("lessons/scenarios/broker-restart.toml"))
    refusals = [s for s in explain(trace) if s.startswith("The post office refused the retry of m3")]
    assert refusals and "on the shelf (offset 2), stored by another send" in refusals[0]
    assert "Nothing was stored" not in refusals[0]


def test_retries_sent_together_for_different_reasons_are_told_apart():
    """reorder-idempotent: m2 was refused NOT_ENOUGH_REPLICAS, m3 out of order; both are
    resent in epoch 1, each under its own sequence number."""
    retries = [mo.text for mo in key_moments(run_file(ROOT / "lessons/scenarios/reorder-idempotent.toml"))][-2:]
    assert retries == [
        "The producer sends m2 again after the refusal NOT_ENOUGH_REPLICAS, under new numbers (PID 0, epoch 1, seq 0).",
        "The producer sends m3 again after the refusal OUT_OF_ORDER_SEQUENCE_NUMBER, "
        "under new numbers (PID 0, epoch 1, seq 1).",
    ]


def test_a_batch_made_anew_gives_each_letter_its_own_cause():
    trace = run_file(ROOT / "lessons/scenarios/java-out-of-order.toml", client="librdkafka")
    assert [mo.text for mo in key_moments(trace) if mo.kind == "retry"] == [
        "The producer sends m2 and m3 again in one batch, under new numbers (PID 0, epoch 1, seq 0–1): "
        "m2 after the refusal NOT_ENOUGH_REPLICAS, m3 after the refusal OUT_OF_ORDER_SEQUENCE_NUMBER."
    ]
    race = run_file(ROOT / "lessons/scenarios/lost-request-race.toml", **{"enable.idempotence": False})
    assert [mo.text for mo in key_moments(race) if mo.kind == "retry"] == [
        "The producer sends m6, m7, m8, m9 and m10 again because the first one never arrived, "
        "together with m11, m12, m13, m14 and m15, sent for the first time."
    ]


def test_a_refusal_for_a_bad_sequence_is_a_moment_with_what_the_broker_expected():
    trace = run_file(ROOT / "lessons/scenarios/broker-restart.toml")
    refused = [mo for mo in key_moments(trace) if mo.kind == "sequence_refused"]
    assert [mo.text for mo in refused] == [
        f"The broker refuses m{n} with OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing: it expected seq 4 next "
        f"from PID 0, epoch 0 (its notebook's last batch ends at seq 3) and got seq {n - 1}."
        for n in (2, 3)
    ]
    assert all(trace.events[mo.event].get("result") == model.REJECTED for mo in refused)


IMPLICIT_ACK = (
    "m3 is reported delivered, with no offset, though the broker refused it (OUT_OF_ORDER_SEQUENCE_NUMBER): the "
    "receipt for m4 (request #7) came back OK, and your secretary (librdkafka) counts it as a receipt for every "
    "earlier letter still waiting too (an implicit acknowledgement: the post office takes a sender's numbers only "
    "in order), but that receipt carries no offset for m3, which is on the shelf at offset 2, stored by an earlier "
    "send."
)


@pytest.mark.parametrize("back_end", ["sim", "kafka"])
def test_a_refused_letter_reported_delivered_without_an_offset_is_a_moment_at_its_report(back_end):
    trace = run_file(ROOT / "lessons/scenarios/broker-restart.toml")
    if back_end == "kafka":
        trace = as_the_real_back_end_reports(trace)
    report = next(i for i, e in enumerate(trace.events) if e.kind == model.DELIVERY_REPORT and e.get("value") == "m3")
    assert trace.events[report].get("error") is None and trace.events[report].get("offset") is None
    moments = key_moments(trace)
    assert [(mo.event, mo.text) for mo in moments if mo.kind == "implicit_ack"] == [(report, IMPLICIT_ACK)]
    refusals = [mo.text for mo in moments if mo.kind == "sequence_refused"]
    assert len(refusals) == 2 and not any("delivered" in text for text in refusals)  # told once, at the report


def test_a_letter_reported_delivered_without_an_offset_and_never_refused_is_no_implicit_ack_moment():
    lost = run_file(ROOT / "lessons/scenarios/new-partition-loss.toml")  # delivered with no offset, not stored
    assert "implicit_ack" not in [mo.kind for mo in key_moments(lost)]


def test_no_implicit_ack_moment_without_a_successful_answer_after_the_refusal():
    trace = run_file(ROOT / "lessons/scenarios/broker-restart.toml")
    answer = next(
        i
        for i, e in enumerate(trace.events)
        if e.kind == model.RESPONSE_RECEIVED and e.get("api") == model.PRODUCE and e.get("request_no") == 7
    )
    unanswered = dataclasses.replace(trace, events=[e for i, e in enumerate(trace.events) if i != answer])
    assert "implicit_ack" not in [mo.kind for mo in key_moments(unanswered)]


def test_the_mail_room_has_a_word_for_every_kind_of_moment():
    script = (ROOT / "ui/components/mailroom/mailroom.js").read_text()
    words_block = script[
        script.index("const MOMENT_WORDS = {") : script.index("};", script.index("const MOMENT_WORDS"))
    ]
    # the picture shows MOMENT_WORDS[kind] or, without one, the kind itself: a kind of one plain word reads as it is
    assert [kind for kind in KINDS if f"{kind}: " not in words_block and not kind.isalpha()] == []


def test_a_refusal_that_lets_a_later_letter_pass_is_a_refusal_and_only_the_passing_is_reordered():
    moments = key_moments(
        run_file(ROOT / "lessons/scenarios/reorder-one-in-flight.toml", **{"enable.idempotence": False})
    )
    refusal = next(mo for mo in moments if "turned away" in mo.text)
    assert refusal.kind == "refusal"
    assert [mo.text for mo in moments if mo.kind == "reordered"] == [
        "The broker stores m3 at offset 1 before m2, sent earlier and not on the shelf yet: "
        "the order on the shelf is no longer the order of sending."
    ]


def test_the_applications_second_send_stored_again_is_a_resend_not_a_retry_stored_twice():
    found = key_moments(run_file(ROOT / "lessons/scenarios/producer-restart.toml"))
    resend = [mo for mo in found if mo.kind == "resend"]
    assert resend and all("the application sent" in mo.text for mo in resend)
    assert "duplicate_stored" not in [mo.kind for mo in found]


def _refused(error: str) -> model.Trace:
    """m1 sent by PID 5 and refused with `error`; the broker's notebook holds nothing of PID 5."""
    send = {
        "producer_id": 5,
        "producer_epoch": 0,
        "base_sequence": 3,
        "last_sequence": 3,
        "msgs": [1],
        "values": ["m1"],
    }
    events = [
        model.event(0, model.PRODUCE_CALLED, msg=1, value="m1", key=None, partition=0),
        model.event(1, model.REQUEST_SENT, api=model.PRODUCE, request_no=1, broker=1, attempt=1, partition=0, **send),
        model.event(
            2, model.BROKER_DECISION, request_no=1, broker=1, partition=0, result=model.REJECTED, base_offset=-1,
            error=error, **send,
        ),
    ]  # fmt: skip
    return model.Trace("refused", "sim", {}, events)


def test_an_unknown_producer_refusal_says_the_notebook_holds_nothing_of_it():
    refused = key_moments(_refused("UNKNOWN_PRODUCER_ID"))
    assert [(mo.kind, mo.event, mo.text) for mo in refused if mo.kind == "sequence_refused"] == [
        (
            "sequence_refused",
            2,
            "The broker refuses m1 (PID 5, epoch 0, seq 3) with UNKNOWN_PRODUCER_ID and stores nothing: "
            "its notebook for partition 0 holds nothing from PID 5.",
        )
    ]


def test_a_duplicate_sequence_refusal_says_only_what_the_trace_shows():
    [moment] = [mo for mo in key_moments(_refused("DUPLICATE_SEQUENCE_NUMBER")) if mo.kind == "sequence_refused"]
    assert moment.text == (
        "The broker refuses m1 (PID 5, epoch 0, seq 3) with DUPLICATE_SEQUENCE_NUMBER and stores nothing."
    )


def test_an_out_of_order_refusal_tells_no_expected_sequence_from_a_notebook_that_lags():
    """A real broker's notebook is read after its decisions: here it still ends at seq 0
    when m2 (seq 1) is already stored, so what the broker expected is not told."""

    def sent(seq: int, msg: int) -> dict:
        numbers = {"producer_id": 5, "producer_epoch": 0, "base_sequence": seq, "last_sequence": seq}
        return {**numbers, "msgs": [msg], "values": [f"m{msg}"]}

    decided = {"broker": 1, "partition": 0, "error": None}
    events = [
        *(model.event(0, model.PRODUCE_CALLED, msg=n, value=f"m{n}", key=None, partition=0) for n in (1, 2, 3)),
        model.event(1, model.BROKER_DECISION, request_no=1, result=model.APPENDED, base_offset=0, **decided, **sent(0, 1)),
        model.event(
            2, model.PRODUCER_STATE, partition=0, reason="its decision on m1", source="DescribeProducers",
            producers=[{"producer_id": 5, "producer_epoch": 0, "remembered": [[0, 0, 0, 0]]}],
        ),
        model.event(3, model.BROKER_DECISION, request_no=2, result=model.APPENDED, base_offset=1, **decided, **sent(1, 2)),
        model.event(
            4, model.BROKER_DECISION, request_no=3, result=model.REJECTED, base_offset=-1,
            **{**decided, "error": "OUT_OF_ORDER_SEQUENCE_NUMBER"}, **sent(3, 3),
        ),
    ]  # fmt: skip
    [moment] = [mo for mo in key_moments(model.Trace("lag", "kafka", {}, events)) if mo.kind == "sequence_refused"]
    assert moment.text == (
        "The broker refuses m3 (PID 5, epoch 0, seq 3) with OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing."
    )
