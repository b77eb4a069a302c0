"""Conformance for the Java client: the simulated Java producer and Apache Kafka's own
Java producer on the real broker store the same log (values, producer ids by order of
appearance, epochs, sequences) and give the same delivery results.  Where they
disagreed the real client won (docs/java-client-findings.md)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from idemlab import scenarios, sim
from idemlab.kafka.java_runner import run_java_on_kafka
from tests.java_needs import require_java_client
from tests.kafka.test_conformance import deliveries, normalized_log  # one way to compare runs

pytestmark = [pytest.mark.kafka, pytest.mark.usefixtures("shared_local_cluster")]

TESTS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
# Every conformance scenario without broker actions (those need a cluster of their own
# and have not been compared for the Java client yet: see the findings).
COMPARED = [
    "app-resend",
    "cross-partition-duplicate",
    "gapless-fatal",
    "happy-path",
    "lost-ack",
    "lost-request",
    "message-too-large",
    "producer-restart",
    "reorder-idempotent",
    "reorder-one-in-flight",
    "timeout-but-stored",
    str(TESTS_DIR / "c4-lost-response-idempotent.toml"),
    str(TESTS_DIR / "c5-lost-response-plain.toml"),
    str(TESTS_DIR / "c15a-idle-producer-expires.toml"),
    str(TESTS_DIR / "c16-cross-partition-duplicate.toml"),
]
# Racy on the real Java client: with linger.ms=0, whether two values sent in one step share
# a batch depends on which thread wins, the application's send() or the sender's drain
# (both seen on the same machine); the simulator sends each alone.
RACY = ["new-partition-loss", "reorder"]
# lost-request-race without idempotence: the real Java client's first request waits for
# metadata and a connection, so m1 to m10 travel together (and are stored twice, every run
# seen); the model's first connection is up sooner and batches m1 to m5.  Not modelled yet;
# with idempotence on both store each letter once (compared below).
REAL_TRIES_FOR_A_RACE = 3


def java(path: str, *overrides):
    return scenarios.apply_overrides(scenarios.load(path), [("client", "java"), *overrides])


def assert_same(scenario):
    simulated, real = sim.run(scenario), run_java_on_kafka(scenario, "local")
    assert real.run_error is None, real.run_error
    assert normalized_log(real) == normalized_log(simulated)
    assert deliveries(real) == deliveries(simulated)
    assert (real.fatal_error is None) == (simulated.fatal_error is None)


@pytest.fixture
def java_client_required() -> None:
    require_java_client()


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", COMPARED, ids=lambda p: Path(p).stem)
def test_the_simulated_java_producer_stores_what_the_real_one_stores(path, java_client_required):
    assert_same(java(path))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", ["lost-ack", "lost-request", "lost-request-race"])
def test_lost_ack_and_lost_request_match_with_idempotence_on_too(name, java_client_required):
    assert_same(java(name, ("enable.idempotence", True)))


@pytest.mark.timeout(600)  # new-partition-loss waits out the Java client's 120 s delivery timeout
@pytest.mark.parametrize("name", RACY)
def test_a_racy_scenarios_simulated_java_log_is_one_the_real_client_stores(name, java_client_required):
    scenario = java(name)
    simulated = normalized_log(sim.run(scenario))
    real_logs = []
    for _ in range(REAL_TRIES_FOR_A_RACE):
        real = run_java_on_kafka(scenario, "local")
        assert real.run_error is None, real.run_error
        real_logs.append(normalized_log(real))
        if real_logs[-1] == simulated:
            break
    if simulated in real_logs:
        return
    # Seen before on this machine (docs/java-client-findings.md), not in these tries: the
    # race only decides whether values share a batch, so the real client must still have
    # stored the same letters, each as often as the model says.
    warnings.warn(f"{name}: the simulated Java log was not among {len(real_logs)} real runs: {real_logs}", stacklevel=1)
    for real_log in real_logs:
        assert sorted(row[1] for row in real_log) == sorted(row[1] for row in simulated), real_log
