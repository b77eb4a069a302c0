"""The simulated Java producer follows what the real kafka-clients 4.4 did on the real
broker (docs/java-client-findings.md; tests/kafka/test_java_conformance.py compares the two)."""

from __future__ import annotations

import re

import pytest

from idemlab import scenarios, sim
from idemlab.model import DELIVERY_REPORT, EPOCH_BUMP
from idemlab.sim.java_producer import (
    JAVA_ERROR_MESSAGES,
    JavaSimProducer,
    expiry_message,
    java_error_message,
    murmur2_partition,
)


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


def test_an_out_of_order_answer_to_the_next_batch_bumps_the_epoch_and_renumbers_it_from_0():
    """broker-restart: the restarted broker remembers only m4's batch, so the retry of m2
    (sequence 1) is out of order; it was the next one expected, so the epoch is bumped and
    m2, m3, m4 are sent again as epoch 1, sequences 0-2, and stored a second time
    (TransactionManager.canRetry, startSequencesAtBeginning)."""
    trace = sim.run(java("broker-restart"))
    assert stored(trace) == [
        ("m1", 0, 0),
        ("m2", 0, 1),
        ("m3", 0, 2),
        ("m4", 0, 3),
        ("m2", 1, 0),
        ("m3", 1, 1),
        ("m4", 1, 2),
    ]
    assert deliveries(trace) == [("m1", None, 0), ("m2", None, 4), ("m3", None, 5), ("m4", None, 6)]
    assert trace.fatal_error is None


def test_a_step_sent_as_one_batch_survives_the_restart_stored_once():
    """The other branch of the linger.ms=0 race: m2-m4 in one batch are the broker's last
    batch, so their retry is recognised as a duplicate."""
    trace = sim.run(java("broker-restart", ("linger.ms", 1)))
    assert stored(trace) == [("m1", 0, 0), ("m2", 0, 1), ("m3", 0, 2), ("m4", 0, 3)]
    assert deliveries(trace) == [("m1", None, 0), ("m2", None, 1), ("m3", None, 2), ("m4", None, 3)]


def test_each_alone_takes_the_other_branch_of_the_race_before_the_producer_id_arrives(monkeypatch):
    monkeypatch.setattr(JavaSimProducer, "linger_0_batching", JavaSimProducer.EACH_ALONE)
    trace = sim.run(java("new-partition-loss"))
    requests = [e for e in trace.events if e.kind == "request" and e.get("api") == "produce"]
    assert [list(e.get("msgs")) for e in requests][:2] == [[1], [2]]
    assert stored(trace) == [("m2", 0, 1)]
    assert deliveries(trace) == [("m1", "TimeoutException", None), ("m2", None, 0)]


def failure_texts(trace):
    return [
        (e.get("value"), e.get("error"), e.get("message"))
        for e in trace.events
        if e.kind == DELIVERY_REPORT and e.get("error")
    ]


def test_a_failed_delivery_carries_the_java_exceptions_message():
    assert failure_texts(sim.run(java("message-too-large"))) == [
        ("m2", "RecordTooLargeException", JAVA_ERROR_MESSAGES[10]),
    ]


def test_a_batch_past_the_delivery_timeout_says_how_long_it_waited(monkeypatch):
    monkeypatch.setattr(JavaSimProducer, "linger_0_batching", JavaSimProducer.EACH_ALONE)
    [(value, error, text)] = failure_texts(sim.run(java("new-partition-loss")))
    assert (value, error) == ("m1", "TimeoutException")
    assert re.fullmatch(r"Expiring 1 record\(s\) for lab-0:1200\d\d ms has passed since batch creation", text)


def test_a_successful_delivery_carries_no_message():
    trace = sim.run(java("happy-path"))
    assert all("message" not in e.detail for e in trace.events if e.kind == DELIVERY_REPORT)


def test_java_error_messages_name_the_topic_and_the_node_where_the_client_does():
    assert java_error_message(29, "lab", 1) == "Not authorized to access topics: [lab]"
    assert java_error_message(None, "lab", 2) == "Disconnected from node 2"
    assert java_error_message(None, "lab", 1, timed_out=True) == "Disconnected from node 1 due to timeout"
    assert (
        expiry_message(3, "lab", 0, 120_004.6)
        == "Expiring 3 record(s) for lab-0:120004 ms has passed since batch creation"
    )


FATAL_INIT = """
title = "InitProducerId refused"
client = "java"
[producer]
"linger.ms" = 0
[[step]]
send = ["m1"]
[[step]]
wait_ms = 1000
[[step]]
send = ["m2"]
[[fault]]
request = "init_producer_id"
nth = 1
action = "error"
error = "TOPIC_AUTHORIZATION_FAILED"
"""


def test_a_refused_producer_id_is_fatal_in_the_java_clients_words():
    trace = sim.run(scenarios.parse(FATAL_INIT, name="fatal-init"))
    assert (
        trace.fatal_error == "KafkaException: Unexpected error in InitProducerIdResponse; Topic authorization failed."
    )


def test_after_a_fatal_error_send_throws_and_nothing_is_queued():
    """m1's send() waited for metadata past the refused InitProducerId, as on the real client."""
    trace = sim.run(scenarios.parse(FATAL_INIT, name="fatal-init"))
    after_fatal = ("KafkaException", "Cannot execute transactional method because we are in an error state")
    assert failure_texts(trace) == [("m1", *after_fatal), ("m2", *after_fatal)]
    assert [e.kind for e in trace.events if e.get("msg") == 2] == ["produce", "delivery"]
    assert not trace.stored


def test_records_queued_before_a_fatal_error_fail_with_it():
    """The refusal answered 500 ms late: m1 is queued, waiting for a producer id, and is
    failed with the fatal error itself (Sender.maybeAbortBatches)."""
    late = FATAL_INIT.replace(
        'error = "TOPIC_AUTHORIZATION_FAILED"', 'error = "TOPIC_AUTHORIZATION_FAILED"\ndelay_ms = 500'
    )
    trace = sim.run(scenarios.parse(late, name="fatal-init-late"))
    assert failure_texts(trace) == [
        ("m1", "KafkaException", "Unexpected error in InitProducerIdResponse; Topic authorization failed."),
        ("m2", "KafkaException", "Cannot execute transactional method because we are in an error state"),
    ]


def test_with_no_broker_reachable_send_blocks_for_max_block_ms_then_fails():
    """c12: the only broker is stopped; the 4.x client re-bootstraps and forgets the topic,
    so each send() waits max.block.ms for metadata and fails; m4, sent once the broker is
    back, takes the next sequence (m2 and m3 never had one)."""
    trace = sim.run(java("tests/scenarios/c12-timed-out-in-queue.toml", ("max.block.ms", 5000)))
    assert stored(trace) == [("m1", 0, 0), ("m4", 0, 1)]
    assert failure_texts(trace) == [
        ("m2", "TimeoutException", "Topic lab not present in metadata after 5000 ms."),
        ("m3", "TimeoutException", "Topic lab not present in metadata after 5000 ms."),
    ]
    m3_failed = next(e.t_ms for e in trace.events if e.kind == DELIVERY_REPORT and e.get("msg") == 3)
    m2_failed = next(e.t_ms for e in trace.events if e.kind == DELIVERY_REPORT and e.get("msg") == 2)
    assert m3_failed - m2_failed == 5000


def keyless(partitions: int, values: list[str], batch_size: int):
    scenario = scenarios.from_dict(
        {
            "title": "keyless",
            "client": "java",
            "partitions": partitions,
            "producer": {"batch.size": batch_size},
            "step": [{"send": values}],
        }
    )
    return [(r.partition, r.value) for r in sim.run(scenario).stored]


def test_keyless_records_stick_to_one_partition_until_a_batch_is_full():
    """The Java client's built-in sticky partitioner, not librdkafka's spreading: the model
    starts at partition 0 (the real client at a random one, so shipped scenarios pin partitions)."""
    assert keyless(3, ["a1", "a2", "a3"], 16_384) == [(0, "a1"), (0, "a2"), (0, "a3")]


def test_the_sticky_partition_moves_on_after_batch_size_bytes():
    assert keyless(2, ["aaaa", "bbbb", "cccc", "dddd"], 8) == [(0, "aaaa"), (0, "bbbb"), (1, "cccc"), (1, "dddd")]


def test_the_first_request_waits_for_metadata_and_a_connection_so_two_steps_share_it():
    """lost-request-race: send() blocks for the topic's metadata, the first batch lingers
    2 ms and then waits for a connection to its leader, by which time m6-m10 have joined it."""
    trace = sim.run(java("lost-request-race"))
    requests = [list(e.get("msgs")) for e in trace.events if e.kind == "request" and e.get("api") == "produce"]
    assert requests[:2] == [list(range(1, 11)), list(range(11, 16))]
    first_call = next(e.t_ms for e in trace.events if e.kind == "produce")
    assert first_call == 6  # connect, ApiVersions and Metadata: three round trips of 2 ms


def produce_requests(trace) -> list[tuple[float, list[int]]]:
    return [(e.t_ms, list(e.get("msgs"))) for e in trace.events if e.kind == "request" and e.get("api") == "produce"]


def test_a_cold_first_request_leaves_with_the_next_batch_right_behind_it():
    """lost-request-race (findings J10): m1-m10 leave late and m11-m15 at the same moment, so
    the lost second request closes the connection before the first one is answered: both are
    sent again, the later batch first (re-queued ahead), and m1-m10 are stored twice."""
    trace = sim.run(java("lost-request-race"))
    (t1, first), (t2, second), *retries = produce_requests(trace)
    assert (first, second) == ([*range(1, 11)], [*range(11, 16)]) and t1 == t2
    assert [msgs for _, msgs in retries] == [[*range(11, 16)], [*range(1, 11)]]
    letters = [f"m{i}" for i in range(1, 16)]
    assert [value for value, _, _ in stored(trace)] == letters + letters[:10]


@pytest.mark.parametrize("last", [5, 7, 10])
def test_a_warm_first_request_is_answered_before_the_next_one_is_lost(last, monkeypatch):
    """The race's other branch, seen on the real client too (m1-m5, m1-m7, m1-m10 answered,
    the next request lost and sent again, each letter stored once)."""
    monkeypatch.setattr(JavaSimProducer, "first_request", JavaSimProducer.WARM)
    monkeypatch.setattr(JavaSimProducer, "first_batch_closes_after", last)
    trace = sim.run(java("lost-request-race"))
    (_, first), (_, second), *_ = produce_requests(trace)
    assert first == [*range(1, last + 1)] and second[0] == last + 1
    assert [value for value, _, _ in stored(trace)] == [f"m{i}" for i in range(1, 16)]


@pytest.mark.parametrize("last", [3, 6, 15])
def test_the_first_batch_can_close_between_two_records_of_a_step(last, monkeypatch):
    """The sender drains whenever its connection is ready (m1-m3 and m1-m6 were seen on the
    real client): the letters of the first request are the ones stored twice."""
    monkeypatch.setattr(JavaSimProducer, "first_batch_closes_after", last)
    trace = sim.run(java("lost-request-race"))
    assert produce_requests(trace)[0][1] == [*range(1, last + 1)]
    twice = [f"m{i}" for i in range(1, last + 1)] if last < 15 else []
    letters = [value for value, _, _ in stored(trace)]
    assert sorted(v for v in set(letters) if letters.count(v) == 2) == sorted(twice)


def test_a_client_that_has_not_re_bootstrapped_yet_queues_its_records_until_the_broker_is_back(monkeypatch):
    """c12's other branch: the sends come before the client noticed that no broker is left."""
    monkeypatch.setattr(JavaSimProducer, "brokers_down_metadata", JavaSimProducer.KEEPS_METADATA)
    trace = sim.run(java("tests/scenarios/c12-timed-out-in-queue.toml", ("max.block.ms", 5000)))
    assert stored(trace) == [("m1", 0, 0), ("m2", 0, 1), ("m3", 0, 2), ("m4", 0, 3)]
    assert failure_texts(trace) == []
