"""The Java client on the real broker: Apache Kafka's own producer, driven over JSON
lines, through the same fault proxy, into the same kind of Trace."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from idemlab import backends, java_config, scenarios
from idemlab.__main__ import main
from idemlab.kafka.java_client import JavaProducer, started_pids
from idemlab.kafka.java_runner import JavaRun, run_java_on_kafka
from idemlab.model import DELIVERY_REPORT, PRODUCE_CALLED, PRODUCER_ID_ASSIGNED
from tests.java_needs import require_java_client

pytestmark = [pytest.mark.kafka]


@pytest.fixture
def java_client_required() -> None:
    require_java_client()


def ended(pid: int) -> bool:
    """Gone, or a zombie awaiting its reaper."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def stored_values(trace):
    return [record.value for record in trace.stored]


def lost_ack(idempotent: bool):
    return scenarios.apply_overrides(scenarios.load("lost-ack"), [("enable.idempotence", idempotent)])


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_lost_ack_with_idempotence_on_stores_m2_once_with_the_java_client(java_client_required):
    trace = run_java_on_kafka(lost_ack(True), "local")
    assert trace.run_error is None, trace.run_error
    assert stored_values(trace) == ["m1", "m2", "m3"]
    assert {(r.producer_epoch, r.sequence) for r in trace.stored} == {(0, 0), (0, 1), (0, 2)}
    assert [(d.value, d.error, d.offset) for d in trace.deliveries] == [
        ("m1", None, 0),
        ("m2", None, 1),
        ("m3", None, 2),
    ]
    assert sum(1 for e in trace.events if e.kind == PRODUCER_ID_ASSIGNED) == 1
    assert trace.config["enable.idempotence"] is True and trace.config["delivery.timeout.ms"] == 120_000


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_lost_ack_with_idempotence_off_stores_a_duplicate_with_the_java_client(java_client_required):
    trace = run_java_on_kafka(lost_ack(False), "local")
    assert trace.run_error is None, trace.run_error
    assert stored_values(trace) == ["m1", "m2", "m2", "m3"]
    assert all(r.producer_id == -1 for r in trace.stored)
    assert [(d.value, d.error, d.offset) for d in trace.deliveries] == [
        ("m1", None, 0),
        ("m2", None, 2),
        ("m3", None, 3),
    ]


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_the_java_client_is_idempotent_by_default(java_client_required):
    scenario = scenarios.load("lost-ack")
    unset = scenarios.from_dict(
        {**scenarios.to_dict(scenario), "producer": {"linger.ms": 0}}, source="lost-ack without idempotence set"
    )
    trace = run_java_on_kafka(unset, "local")
    assert stored_values(trace) == ["m1", "m2", "m3"]


@pytest.mark.timeout(120)
def test_the_java_client_refuses_bad_configs_with_the_messages_the_model_gives(java_client_required):
    """Each config through the real KafkaProducer constructor (no broker is contacted
    before it returns), in one JVM; the model must give the very same text."""
    configs = [
        {"enable.idempotence": True, "max.in.flight.requests.per.connection": 6},
        {"max.in.flight.requests.per.connection": 6},
        {"enable.idempotence": True, "acks": 1},
        {"enable.idempotence": True, "retries": 0},
        {"enable.idempotence": True, "retries": 0, "acks": 0, "max.in.flight.requests.per.connection": 9},
        {"acks": 1, "max.in.flight.requests.per.connection": 6},
        {"acks": "2"},
        {"enable.idempotence": "maybe"},
        {"linger.ms": -1},
        {"max.in.flight.requests.per.connection": 0},
        {"delivery.timeout.ms": 1000},
        {"delivery.timeout.ms": "soon"},
        {"acks": 1},
        {"retries": 0},
        {"enable.idempotence": False, "max.in.flight.requests.per.connection": 6},
        {"request.timeout.ms": 200_000},
    ]
    client = JavaProducer(lambda event: None)
    try:
        for config in configs:
            real = client.create({**config, "bootstrap.servers": "127.0.0.1:1", "max.block.ms": 1})
            if real is None:
                client.request("close", timeout_s=0)
            assert java_config.model_error(config) == real, config
    finally:
        client.stop()


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_a_refused_config_ends_the_run_with_the_java_clients_exact_message(java_client_required):
    scenario = scenarios.apply_overrides(lost_ack(True), [("max.in.flight.requests.per.connection", 6)])
    trace = run_java_on_kafka(scenario, "local")
    assert trace.run_error == (
        "ConfigException: To use the idempotent producer, max.in.flight.requests.per.connection "
        "must be set to at most 5. Current value is 6."
    )
    assert not trace.events


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_a_restart_gives_the_java_producer_a_new_producer_id_and_no_jvm_outlives_the_run(java_client_required):
    before = set(started_pids())
    trace = run_java_on_kafka(scenarios.load("producer-restart"), "local")
    assert trace.run_error is None, trace.run_error
    assert len({r.producer_id for r in trace.stored}) == 2
    kinds = Counter(e.kind for e in trace.events)
    assert kinds[DELIVERY_REPORT] == kinds[PRODUCE_CALLED]
    jvms = set(started_pids()) - before
    assert len(jvms) == 1  # one JVM per run, the restart included
    assert all(ended(pid) for pid in jvms)


CHILD = """
import sys
from idemlab.kafka.java_client import JavaProducer
producer = JavaProducer(lambda event: None)
print(producer.process.pid, flush=True)
sys.stdin.read()
"""


@pytest.mark.timeout(120)
def test_the_jvm_ends_when_the_python_process_that_started_it_dies(java_client_required):
    parent = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        jvm = int(parent.stdout.readline())
        assert not ended(jvm)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 60
        while not ended(jvm) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ended(jvm)
    finally:
        if parent.poll() is None:
            parent.kill()


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_run_client_java_on_the_command_line_runs_the_java_client(java_client_required, capsys):
    before = set(started_pids())
    assert main(["run", "lost-ack", "--client", "java", "--backend", "local"]) == 0
    assert len(set(started_pids()) - before) == 1
    assert "m2" in capsys.readouterr().out


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_a_scenario_naming_the_java_client_runs_with_it(java_client_required):
    scenario = scenarios.parse(
        'title = "named"\nclient = "java"\n[producer]\n"linger.ms" = 0\n[[step]]\nsend = ["m1"]\n', name="named"
    )
    trace = backends.run(scenario, "local")
    assert trace.config["delivery.timeout.ms"] == 120_000 and trace.config["enable.idempotence"] is True
    assert [r.value for r in trace.stored] == ["m1"]


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_the_clusters_client_settings_reach_the_java_producer(java_client_required):
    """client.id given as the cluster's setting is the real producer's; a librdkafka-only key
    beside it is ignored by the Java client (supplied but unused), not an error."""
    run = JavaRun(
        lost_ack(True), "local", None, {"client.id": "idemlab-cluster-client", "socket.keepalive.enable": True}
    )
    trace = run.run()
    assert trace.run_error is None, trace.run_error
    assert run.client_id == "idemlab-cluster-client"
    assert stored_values(trace) == ["m1", "m2", "m3"]


@pytest.mark.timeout(180)
@pytest.mark.usefixtures("shared_local_cluster")
def test_without_a_client_id_the_java_producer_names_itself(java_client_required):
    run = JavaRun(lost_ack(True), "local", None, None)
    assert run.run().run_error is None
    assert run.client_id.startswith("producer-")


@pytest.mark.timeout(120)
def test_the_bulk_command_produces_its_records_in_the_jvm_and_times_them(java_client_required, shared_local_cluster):
    """benchmarks/java_run_time.py's command: N records of B bytes, one reply."""
    topic = f"idemlab-bulk-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": shared_local_cluster.bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(timeout=30)
    java = JavaProducer(lambda event: None)
    try:
        assert java.create({"bootstrap.servers": shared_local_cluster.bootstrap}) is None
        done = java.request("bulk", timeout=60, topic=topic, count=500, size=10)
        assert (done["count"], done["failed"]) == (500, 0) and done["seconds"] > 0
    finally:
        java.stop()
