"""The simulated Java producer follows what the real kafka-clients 4.4 did on the real
broker (docs/java-client-findings.md; tests/kafka/test_java_conformance.py compares the two)."""

from __future__ import annotations

import pytest

from idemlab import scenarios, sim
from idemlab.model import EPOCH_BUMP
from idemlab.sim.java_producer import murmur2_partition


def java(name: str, *overrides):
    return scenarios.apply_overrides(scenarios.load(name), [("client", "java"), *overrides])


def stored(trace):
    return [(r.value, r.producer_epoch, r.sequence) for r in trace.stored]


def deliveries(trace):
    return [(d.value, d.error, d.offset) for d in trace.deliveries]


def test_a_lost_ack_is_retried_and_stored_twice_without_idempotence():
    trace = sim.run(java("lost-ack"))
    assert [value for value, _, _ in stored(trace)] == ["m1", "m2", "m2", "m3"]


def test_the_java_client_is_idempotent_unless_told_otherwise():
    scenario = java("lost-ack")
    unset = scenarios.from_dict({**scenarios.to_dict(scenario), "producer": {"linger.ms": 0}})
    trace = sim.run(unset)
    assert stored(trace) == [("m1", 0, 0), ("m2", 0, 1), ("m3", 0, 2)]
    assert trace.config["enable.idempotence"] is True and trace.config["linger.ms"] == 0


def test_values_sent_before_the_producer_id_arrives_share_one_batch():
    """new-partition-loss with linger.ms=0: the sender cannot send yet, so m1 and m2 are one
    batch; the error answer makes it retry, and both are stored in order."""
    trace = sim.run(java("new-partition-loss"))
    assert stored(trace) == [("m1", 0, 0), ("m2", 0, 1)]
    requests = [e for e in trace.events if e.kind == "request" and e.get("api") == "produce"]
    assert [list(e.get("msgs")) for e in requests] == [[1, 2], [1, 2]]


def test_values_sent_to_a_ready_sender_with_linger_0_go_out_one_a_batch():
    trace = sim.run(java("reorder"))
    requests = [e for e in trace.events if e.kind == "request" and e.get("api") == "produce"]
    assert [list(e.get("msgs")) for e in requests][:3] == [[1], [2], [3]]


def test_a_failed_batch_bumps_the_epoch_at_once_and_its_partition_starts_again_at_sequence_0():
    trace = sim.run(java("message-too-large"))
    assert stored(trace) == [("m1", 0, 0), ("m3", 1, 0)]
    assert deliveries(trace)[1] == ("m2", "RecordTooLargeException", None)
    assert sum(1 for e in trace.events if e.kind == EPOCH_BUMP) == 1


def test_a_retried_batch_keeps_its_epoch_and_sequence_after_another_partitions_bump():
    """cross-partition-duplicate: m1's retry goes out after m2's failure bumped the epoch,
    still as epoch 0, sequence 0, so the broker recognises it: stored once."""
    trace = sim.run(java("cross-partition-duplicate"))
    assert stored(trace) == [("m1", 0, 0)]
    assert deliveries(trace) == [("m1", None, 0), ("m2", "RecordTooLargeException", None)]


def test_without_idempotence_five_in_flight_reorder_a_retried_letter():
    trace = sim.run(java("reorder"))
    assert [value for value, _, _ in stored(trace)] == ["m1", "m3", "m2"]


def test_with_idempotence_a_retry_keeps_the_order():
    trace = sim.run(java("reorder-idempotent"))
    assert stored(trace) == [("m1", 0, 0), ("m2", 0, 1), ("m3", 0, 2)]


def test_a_config_the_java_client_refuses_ends_the_run_with_its_message():
    trace = sim.run(java("lost-ack", ("enable.idempotence", True), ("max.in.flight.requests.per.connection", 6)))
    assert trace.run_error.startswith("ConfigException: To use the idempotent producer")


def test_librdkafkas_message_timeout_means_nothing_to_the_java_client():
    """timeout-but-stored sets message.timeout.ms = 3000: Java waits its own 120 s."""
    trace = sim.run(java("timeout-but-stored"))
    assert [d.error for d in trace.deliveries] == [None, None]


@pytest.mark.parametrize(
    ("key", "by_3", "by_7"), [("a", 1, 5), ("key-1", 0, 5), ("abc", 0, 4), ("a-little-bit-long-string", 2, 1)]
)
def test_keys_go_to_the_partition_the_java_client_picks(key, by_3, by_7):
    """Values printed by kafka-clients 4.4: toPositive(Utils.murmur2(key)) % partitions."""
    assert (murmur2_partition(key.encode(), 3), murmur2_partition(key.encode(), 7)) == (by_3, by_7)


def test_the_same_scenario_gives_the_same_java_trace_twice():
    assert sim.run(java("lost-ack")).events == sim.run(java("lost-ack")).events
