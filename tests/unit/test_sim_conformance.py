"""The reference's conformance scenarios (shared/reference/kafka-idempotence.md §10)
reproduced on the simulator.  C3 lives in test_producer_config.py, C9/C10 in
test_partition_rules.py; the same scenarios run on a real broker in tests/kafka."""

import dataclasses
from pathlib import Path

import pytest

from idemlab import scenarios, sim
from idemlab.model import (
    BROKER_DECISION,
    DELIVERY_REPORT,
    EPOCH_BUMP,
    EVENT_KINDS,
    PRODUCE_REFUSED,
    RESPONSE_RECEIVED,
    event,
)
from idemlab.outcome import summarize

C_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture
def run_file():
    """The reference's extra conformance scenarios, shared with tests/kafka."""
    return lambda name: sim.run(scenarios.load(str(C_SCENARIOS / f"{name}.toml")))


def log_of(trace):
    return [(r.value, r.producer_id, r.producer_epoch, r.sequence) for r in trace.stored]


def drs(trace):
    return [(d.value, d.error, d.offset) for d in trace.deliveries]


def kinds(trace, kind):
    return [e for e in trace.events if e.kind == kind]


def test_c1_happy_path_gets_pid_0_and_sequences_0_to_4_in_two_batches(run_named):
    trace = run_named("happy-path")
    assert log_of(trace) == [(v, 0, 0, i) for i, v in enumerate(["m1", "m2", "m3", "m4", "m5"])]
    assert drs(trace) == [(v, None, i) for i, v in enumerate(["m1", "m2", "m3", "m4", "m5"])]
    appended = [e for e in kinds(trace, BROKER_DECISION) if e.get("result") == "appended"]
    assert [(e.get("base_sequence"), e.get("last_sequence")) for e in appended] == [(0, 2), (3, 4)]


def test_c2_a_restarted_producer_gets_a_new_pid_and_its_resends_are_stored_again(run_named):
    trace = run_named("producer-restart")
    assert log_of(trace) == [(v, 0, 0, i) for i, v in enumerate(["m1", "m2", "m3"])] + [
        (v, 1, 0, i) for i, v in enumerate(["m1", "m2", "m3"])
    ]


def test_c4_lost_response_with_idempotence_is_deduplicated_without_epoch_bump(run_file):
    trace = run_file("c4-lost-response-idempotent")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 0, 1), ("m3", 0, 0, 2)]
    assert drs(trace) == [("m1", None, 0), ("m2", None, 1), ("m3", None, 2)]
    assert [e.get("result") for e in kinds(trace, BROKER_DECISION)] == ["appended", "duplicate"]
    assert not kinds(trace, EPOCH_BUMP)


def test_c5_lost_response_without_idempotence_stores_the_batch_twice(run_file):
    trace = run_file("c5-lost-response-plain")
    assert [r.value for r in trace.stored] == ["m1", "m2", "m3", "m1", "m2", "m3"]
    assert {r.producer_id for r in trace.stored} == {-1}
    assert drs(trace) == [("m1", None, 3), ("m2", None, 4), ("m3", None, 5)]


def test_c6_retriable_error_without_idempotence_reorders(run_named):
    trace = run_named("reorder")
    assert [r.value for r in trace.stored] == ["m1", "m3", "m2"]
    assert drs(trace) == [("m1", None, 0), ("m2", None, 2), ("m3", None, 1)]
    assert summarize(trace).reordered == 1


def test_c6_one_request_in_flight_does_not_keep_the_order_without_idempotence(run_named):
    # librdkafka builds m3's request while m2's is in flight; the retry of m2 comes
    # after it (docs/librdkafka-findings.md, confirmed on Kafka 4.4 + librdkafka 2.16).
    trace = run_named("reorder", **{"max.in.flight.requests.per.connection": 1})
    assert [r.value for r in trace.stored] == ["m1", "m3", "m2"]


def test_c7_idempotent_producer_refuses_the_gap_and_resends_in_order_at_a_new_epoch(run_named):
    trace = run_named("reorder-idempotent")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 1, 0), ("m3", 0, 1, 1)]
    assert [e.get("error") for e in kinds(trace, RESPONSE_RECEIVED) if e.get("api") == "produce"][1:3] == [
        "NOT_ENOUGH_REPLICAS",
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
    ]
    assert [(e.get("from_epoch"), e.get("to_epoch")) for e in kinds(trace, EPOCH_BUMP)] == [(0, 1)]
    assert all(d.error is None for d in trace.deliveries)


def test_c8_first_request_failure_on_a_new_partition_loses_m1_silently(run_named):
    trace = run_named("new-partition-loss")
    assert log_of(trace) == [("m2", 0, 0, 1)]
    assert drs(trace)[0][:2] == ("m1", None)
    assert summarize(trace).delivered_but_not_stored == (1,)


def test_c11_timed_out_in_flight_but_persisted(run_named):
    trace = run_named("timeout-but-stored")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 1, 0)]
    assert drs(trace) == [("m1", "_MSG_TIMED_OUT", None), ("m2", None, 1)]
    assert summarize(trace).failed_but_stored == (1,)


def test_app_resend_after_a_timeout_is_stored_twice_even_with_idempotence(run_named):
    trace = run_named("app-resend")
    assert [r.value for r in trace.stored] == ["m1", "m2", "m2"]
    assert log_of(trace)[2] == ("m2", 0, 1, 0)


def test_c12_timed_out_in_queue_bumps_the_epoch_and_leaves_no_stored_gap(run_file):
    trace = run_file("c12-timed-out-in-queue")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m4", 0, 1, 0)]
    assert drs(trace)[1:3] == [("m2", "_MSG_TIMED_OUT", None), ("m3", "_MSG_TIMED_OUT", None)]
    assert not [e for e in kinds(trace, RESPONSE_RECEIVED) if e.get("error") == "OUT_OF_ORDER_SEQUENCE_NUMBER"]


def test_c13_permanent_error_bumps_the_epoch_and_carries_on(run_named):
    trace = run_named("message-too-large")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m3", 0, 1, 0)]
    assert drs(trace)[1] == ("m2", "MSG_SIZE_TOO_LARGE", None)
    assert trace.fatal_error is None


def test_c14_gapless_guarantee_turns_the_permanent_error_into_a_fatal_one(run_named):
    trace = run_named("gapless-fatal")
    assert log_of(trace) == [("m1", 0, 0, 0)]
    assert trace.fatal_error.startswith("_GAPLESS_GUARANTEE")
    assert "unable to satisfy gap-less guarantee" in trace.fatal_error
    refused = kinds(trace, PRODUCE_REFUSED)
    assert [(e.get("value"), e.get("error")) for e in refused] == [("m3", "_FATAL")]


def test_c15a_an_idle_producer_is_forgotten_and_its_next_batch_accepted_silently(run_file):
    trace = run_file("c15a-idle-producer-expires")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 0, 1)]
    assert [e.get("producer_id") for e in kinds(trace, "producer_expired")] == [0]


def test_c15b_a_late_retry_after_expiry_is_stored_again(run_named):
    trace = run_named("producer-expiry-late-retry")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 0, 1), ("m2", 0, 0, 1)]
    assert drs(trace) == [("m1", None, 0), ("m2", None, 2)]


def test_c16_an_epoch_bump_caused_by_one_partition_duplicates_a_retry_on_another(run_file):
    trace = run_file("c16-cross-partition-duplicate")
    p1 = [(r.value, r.producer_epoch, r.sequence) for r in trace.stored if r.partition == 1]
    assert p1 == [("m1", 0, 0), ("m1", 1, 0)]


def test_c17_clean_restart_makes_the_head_of_line_retry_fatal(run_named):
    trace = run_named("broker-restart")
    assert sorted(r.value for r in trace.stored) == ["m1", "m2", "m3", "m4"]
    assert trace.fatal_error.startswith("OUT_OF_ORDER_SEQUENCE_NUMBER")
    assert "sequence desynchronization" in trace.fatal_error
    stored = {r.msg for r in trace.stored}
    assert all(d.msg in stored for d in trace.deliveries if d.error)


def test_c17_after_a_hard_kill_too_only_the_last_batch_is_remembered(run_named):
    """The reference expected all retries to be duplicates after SIGKILL; the real
    broker refuses the oldest one, and so does the model now."""
    trace = run_named("broker-kill")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 0, 1), ("m3", 0, 0, 2), ("m4", 0, 0, 3)]
    assert drs(trace)[1] == ("m2", "OUT_OF_ORDER_SEQUENCE_NUMBER", None)
    assert trace.fatal_error.startswith("OUT_OF_ORDER_SEQUENCE_NUMBER")


def test_c18a_new_leader_deduplicates_a_replicated_batch(run_named):
    trace = run_named("leader-failover")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 0, 1), ("m3", 0, 0, 2)]
    assert drs(trace) == [("m1", None, 0), ("m2", None, 1), ("m3", None, 2)]
    assert not kinds(trace, EPOCH_BUMP)
    leaders = {e.get("broker") for e in kinds(trace, "request") if e.get("api") == "produce"}
    assert leaders == {1, 2}


def test_c18b_a_batch_the_followers_never_fetched_is_stored_anew_on_the_new_leader(run_named):
    trace = run_named("leader-failover-unreplicated")
    assert log_of(trace) == [("m1", 0, 0, 0), ("m2", 0, 0, 1), ("m3", 0, 0, 2)]
    decisions = [(e.get("broker"), e.get("result")) for e in kinds(trace, BROKER_DECISION) if e.get("values") == ["m2"]]
    assert decisions == [(1, "appended"), (2, "appended")]
    assert drs(trace)[1] == ("m2", None, 1)


@pytest.mark.parametrize("name", scenarios.available())
def test_every_simulated_event_is_its_kinds_frozen_dataclass(name):
    trace = sim.run(scenarios.load(name))
    assert [e.kind for e in trace.events if not isinstance(e.detail, EVENT_KINDS[e.kind])] == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(trace.events[0].detail, trace.events[0].detail.FIELDS[0], 99)


def test_an_event_with_a_wrong_or_missing_field_cannot_be_built():
    with pytest.raises(TypeError):
        event(0.0, DELIVERY_REPORT, msg=1, value="m1", partition=0, offset=0, eror=None)
    with pytest.raises(TypeError):
        event(0.0, DELIVERY_REPORT, msg=1, value="m1", partition=0, offset=0)
