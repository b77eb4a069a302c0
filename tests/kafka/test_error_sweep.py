"""The error sweep: every broker error the scenario format (and the playground) offers,
idempotence off and on, max.in.flight 1 and 5, on the simulator and on real Apache
Kafka 4.4 with confluent-kafka 2.16.1 (librdkafka 2.16.0).

One scenario per cell: four letters a1..a4 produced at once, one record per request
(batch.num.messages = 1, linger.ms = 0), the 2nd produce request on the wire answered
with the error, then flush. message.timeout.ms = 3000 bounds the cells where a letter
waits for its timeout. Each real run is repeated (REAL_RUNS); where the real runs agree
the simulator must give the same stored log (values, producer ids by order of
appearance, epochs, sequences), the same delivery reports (value, error, offset) and the
same fatal error. A cell where the real client is not deterministic is listed in RACY
with the evidence and what varies; there only the varying part may differ. A cell whose
two real runs differ but that is not listed yet gives a warning naming it, and the
simulator's answer must still be one of the real ones.

Outcome per cell (E = equal before and after this sweep, F = the simulator was fixed
to match, R = racy on the real broker; idempotence off | on, in flight 1 / 5):

| error                              | off, 1 | off, 5 | on, 1 | on, 5 |
|------------------------------------|--------|--------|-------|-------|
| CORRUPT_MESSAGE                    | F      | E      | E     | E     |
| UNKNOWN_TOPIC_OR_PARTITION         | F      | E      | E     | E     |
| LEADER_NOT_AVAILABLE               | F      | E      | E     | E     |
| NOT_LEADER_OR_FOLLOWER             | F      | E      | E     | E     |
| REQUEST_TIMED_OUT                  | F      | E      | E     | E     |
| MESSAGE_TOO_LARGE                  | E      | E      | E     | E     |
| COORDINATOR_LOAD_IN_PROGRESS       | F      | E      | E     | E     |
| NOT_ENOUGH_REPLICAS                | F      | E      | E     | E     |
| NOT_ENOUGH_REPLICAS_AFTER_APPEND   | F      | E      | E     | E     |
| TOPIC_AUTHORIZATION_FAILED         | F      | E      | F     | F+R   |
| OUT_OF_ORDER_SEQUENCE_NUMBER       | E      | E      | F+R   | F+R   |
| DUPLICATE_SEQUENCE_NUMBER          | E      | E      | F+R   | F+R   |
| INVALID_PRODUCER_EPOCH             | E      | E      | E     | E     |
| KAFKA_STORAGE_ERROR                | F      | E      | E     | E     |
| UNKNOWN_PRODUCER_ID                | E      | E      | F     | F     |
| INVALID_RECORD                     | E      | E      | E     | E     |

The "off, 1" column is the finding that matters most: every retriable error reorders
(a1, a3, a2, a4) although only one request is in flight. docs/librdkafka-findings.md
explains each F and R from librdkafka's source. Measured: 80 s for the
whole sweep on the 2-core development machine (64 cells, 128 real runs).
"""

from __future__ import annotations

import warnings

import pytest

from idemlab import scenarios, sim
from idemlab.errors import ERRORS
from idemlab.kafka.runner import run_on_kafka
from tests.kafka import test_conformance as conformance

pytestmark = [pytest.mark.kafka, pytest.mark.usefixtures("shared_local_cluster")]

REAL_RUNS = 2
LETTERS = ["a1", "a2", "a3", "a4"]

# Every error a scenario may name (errors.ERRORS_BY_NAME holds each twice: the broker's
# name and librdkafka's); the playground offers the same list.
SWEEP_ERRORS = sorted({info.kafka_name for info in ERRORS.values() if info.code > 0})

# (error, idempotent, max.in.flight) -> (what varies, the letter whose delivery report
# varies, the reports seen). Evidence: 2 of 4 real runs each way (2026-11, Kafka 4.4.0,
# librdkafka 2.16.0). a2's DUPLICATE_SEQUENCE_NUMBER counts as delivered, so a3 is the
# head of line and its OUT_OF_ORDER_SEQUENCE_NUMBER is fatal; a4 is either still in the
# partition queue when the fatal error purges it (_PURGE_QUEUE) or already in the
# broker thread's request/xmit queue, which the purge does not reach, and then never
# sent (_MSG_TIMED_OUT). Which one depends on the broker thread's timing.
RACY = {
    ("DUPLICATE_SEQUENCE_NUMBER", True, inflight): (
        "a4 is purged (_PURGE_QUEUE) or times out (_MSG_TIMED_OUT) after the fatal error",
        ("a4",),
        {"_PURGE_QUEUE", "_MSG_TIMED_OUT"},
    )
    for inflight in (1, 5)
}
# Seen in two full CI-style runs on a loaded machine (2026-12): of two real runs, one
# purged a3 and one let it time out, after the fatal OUT_OF_ORDER_SEQUENCE_NUMBER, with
# five in flight in one run and one in flight in the other (the same race as
# DUPLICATE_SEQUENCE_NUMBER's a4: a request already built escapes the fatal purge).
# Seen once in a full run (2026-12): with idempotence and five in flight, a3 was either
# still queued when the topic error failed the queue (TOPIC_AUTHORIZATION_FAILED) or
# already sent, and its retry was destroyed with the partition (_DESTROY); in a later
# full run at load 25-30, a4 the same way (both real runs gave the topic error, the
# simulator _DESTROY).
RACY[("TOPIC_AUTHORIZATION_FAILED", True, 5)] = (
    "a3 and a4 each fail with the topic error while queued, or are destroyed after they were sent",
    ("a3", "a4"),
    {"TOPIC_AUTHORIZATION_FAILED", "_DESTROY"},
)
for _inflight in (1, 5):
    RACY[("OUT_OF_ORDER_SEQUENCE_NUMBER", True, _inflight)] = (
        "a3 is purged (_PURGE_QUEUE) or times out (_MSG_TIMED_OUT) after the fatal error",
        ("a3",),
        {"_PURGE_QUEUE", "_MSG_TIMED_OUT"},
    )

CELLS = [(error, idem, inflight) for error in SWEEP_ERRORS for idem in (False, True) for inflight in (1, 5)]


def sweep_scenario(error: str, idempotent: bool, in_flight: int):
    return scenarios.from_dict(
        {
            "title": f"Error sweep: {error}",
            "producer": {
                "enable.idempotence": idempotent,
                "linger.ms": 0,
                "batch.num.messages": 1,
                "max.in.flight.requests.per.connection": in_flight,
                "message.timeout.ms": 3000,
            },
            "step": [{"send": LETTERS}, {"flush": True}],
            "fault": [{"request": "produce", "nth": 2, "action": "error", "error": error}],
        },
        source="tests/kafka/test_error_sweep.py",
        name=f"sweep-{error.lower()}",
    )


# Behind a fatal error, a letter is either still queued when the fatal purge runs
# (_PURGE_QUEUE) or already built into a request the purge does not reach, and then
# never sent (_MSG_TIMED_OUT): the broker thread's timing decides (see RACY's evidence;
# seen for DUPLICATE_SEQUENCE_NUMBER's a4 and OUT_OF_ORDER_SEQUENCE_NUMBER's a3, with one
# and with five in flight). Both count as the same outcome: "not sent, reported failed".
AFTER_FATAL = {"_PURGE_QUEUE", "_MSG_TIMED_OUT"}


def signature(trace, except_values: tuple[str, ...] = ()):
    """What the sweep compares; the delivery reports of `except_values` are left out (racy)."""
    fatal = trace.fatal_error.split(":")[0] if trace.fatal_error else None
    reports = [
        (value, "purged or timed out after the fatal error" if fatal and error in AFTER_FATAL else error, offset)
        for value, error, offset in conformance.deliveries(trace)
        if value not in except_values
    ]
    return conformance.normalized_log(trace), reports, fatal


def report_of(trace, value: str):
    return next(d.error for d in trace.deliveries if d.value == value)


def cell_id(cell) -> str:
    error, idem, inflight = cell
    return f"{error}-{'idem' if idem else 'plain'}-{inflight}"


def test_the_sweep_covers_every_error_the_scenario_format_offers():
    named = {info.kafka_name for name, info in scenarios.ERRORS_BY_NAME.items()}
    assert set(SWEEP_ERRORS) == named
    assert len(CELLS) == 4 * len(named)
    assert set(RACY) <= set(CELLS)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_error_on_both_back_ends(cell, java_required):
    scenario = sweep_scenario(*cell)
    simulated = sim.run(scenario)
    reals = [run_on_kafka(scenario, "local") for _ in range(REAL_RUNS)]
    for real in reals:
        assert real.run_error is None, real.run_error
    racy = RACY.get(cell)
    if racy is None:
        expected = signature(simulated)
        observed = [signature(real) for real in reals]
        if observed[0] != observed[1]:
            # A race not listed yet (each full run on a loaded machine has found about one):
            # the simulator's one answer must still be one the real client gives, and the
            # cell is named so that it is added to RACY with its evidence.
            warnings.warn(f"{cell_id(cell)}: the real client varied between runs: {observed}", stacklevel=1)
            assert expected in observed
            return
        assert observed[0] == expected
        return
    _, values, seen = racy
    for real in reals:
        assert signature(real, except_values=values) == signature(simulated, except_values=values)
        assert {report_of(real, value) for value in values} <= seen
    assert {report_of(simulated, value) for value in values} <= seen
