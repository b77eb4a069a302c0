"""The real-broker back end under bad input and failures: clear errors, bounded time,
the trace up to the failure, no process left behind."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from idemlab import backends, scenarios
from idemlab.kafka.launcher import launched_pids
from idemlab.kafka.runner import run_on_kafka
from idemlab.model import DELIVERY_REPORT, PRODUCE_CALLED, WAIT
from tests.cli import run_cli

pytestmark = [pytest.mark.kafka, pytest.mark.usefixtures("shared_local_cluster")]


@pytest.mark.timeout(60)
def test_an_unreachable_cluster_is_reported_instead_of_waited_for():
    with pytest.raises(backends.BackendUnavailable, match=r"Cannot reach the Kafka cluster at 127\.0\.0\.1:1"):
        backends.run(scenarios.load("lost-ack"), "kafka://127.0.0.1:1")


@pytest.mark.timeout(60)
def test_a_malformed_bootstrap_address_is_bad_input_for_the_cli():
    result = run_cli("run", "lost-ack", "--backend", "kafka://:x")
    assert result.returncode == 2
    assert "expected kafka://HOST:PORT" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.timeout(120)
def test_a_topic_the_broker_cannot_create_reports_the_brokers_reason(kafka_cluster):
    scenario = dataclasses.replace(scenarios.load("happy-path"), replication_factor=3)
    with pytest.raises(backends.BackendUnavailable, match="could not create topic") as caught:
        backends.run(scenario, f"kafka://{kafka_cluster.bootstrap}")
    assert "Unable to replicate the partition 3 time(s)" in str(caught.value)


@pytest.mark.timeout(120)
def test_the_existing_cluster_back_end_runs_a_scenario_against_a_given_address(kafka_cluster):
    trace = backends.run(
        scenarios.apply_overrides(scenarios.load("lost-ack"), [("enable.idempotence", True)]),
        f"kafka://{kafka_cluster.bootstrap}",
    )
    assert [r.value for r in trace.stored] == ["m1", "m2", "m3"]
    assert trace.backend.startswith("kafka://")


@pytest.mark.timeout(180)
def test_a_broker_killed_mid_run_ends_the_run_with_the_trace_so_far_and_no_orphan(java_required):
    """A dedicated cluster (the scenario has broker settings) is killed from outside
    while the run waits; the run stops with a clear error instead of waiting out
    message.timeout.ms, keeps the events so far, and leaves no JVM behind."""
    scenario = scenarios.from_dict(
        {
            "title": "killed",
            "broker_config": {"producer.id.expiration.ms": 86400000},
            "producer": {"enable.idempotence": True},
            "step": [{"send": ["m1"]}, {"flush": True}, {"wait_ms": 20000}, {"send": ["m2"]}, {"flush": True}],
        }
    )
    before = set(launched_pids())
    seen = []

    def kill_when_the_run_waits(event):
        seen.append(event)
        if event.kind == WAIT:  # m1 is delivered and the run waits 20 s: kill it meanwhile
            threading.Thread(target=_kill_new_jvms, args=(before,), daemon=True).start()

    trace = run_on_kafka(scenario, "local", on_event=kill_when_the_run_waits)
    # stopped by the broker's death, not by message.timeout.ms (the test's time-out bounds it)
    assert "stopped unexpectedly" in trace.run_error
    assert [e.get("value") for e in trace.events if e.kind == PRODUCE_CALLED] == ["m1"]
    assert any(e.kind == DELIVERY_REPORT for e in trace.events)
    assert not [pid for pid in launched_pids() - before if _alive(pid)]


def _kill_new_jvms(before):
    import os
    import signal

    for pid in launched_pids() - before:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
