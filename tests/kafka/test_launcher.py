"""The local Apache Kafka launcher against real JVMs: start, stop, kill, restart, CLI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from idemlab.kafka import launcher
from idemlab.kafka.jars import KafkaSetupError, cache_root
from idemlab.kafka.launcher import LocalCluster, state_file

pytestmark = pytest.mark.kafka

REPO = Path(__file__).resolve().parents[2]

CLI = """
import argparse, sys
from idemlab.kafka.cli import add_broker_commands
parser = argparse.ArgumentParser(prog="idemlab")
add_broker_commands(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args()
sys.exit(args.run(args))
"""

OWNER = """
import os, signal, sys
from idemlab.kafka.launcher import LocalCluster
cluster = LocalCluster.start()
print(cluster.nodes[1].pid, cluster.cluster_dir, flush=True)
if sys.argv[1] == "sigkill":
    os.kill(os.getpid(), signal.SIGKILL)
"""


# ------------------------------------------------------------------ helpers


def process_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie has ended


def broker_ids(bootstrap: str, timeout: float = 10) -> set[int]:
    return set(AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=timeout).brokers)


def create_topic(bootstrap: str, replicas: int = 1) -> str:
    topic = f"t-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})  # must outlive the future
    futures = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=replicas)])
    futures[topic].result(timeout=30)
    return topic


def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "message.timeout.ms": 60000})
    errors = []
    for value in values:
        producer.produce(topic, value, on_delivery=lambda error, _: errors.append(error))
    assert producer.flush(60) == 0
    assert errors == [None] * len(values)


def consume(bootstrap: str, topic: str, count: int, timeout: float = 30) -> list[bytes]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "idemlab-tests", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(values) < count and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            values.append(message.value())
    consumer.close()
    return values


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def python_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.update(overrides)
    return env


def run_cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CLI, *argv], env=env, cwd=REPO, capture_output=True, text=True, timeout=150
    )


@pytest.fixture
def private_cache(java_required, tmp_path, monkeypatch) -> Path:
    """An IDEMLAB_CACHE of its own (own state file) sharing the downloaded jars."""
    shared = cache_root()
    private = tmp_path / "cache"
    private.mkdir()
    for entry in shared.iterdir():
        if entry.is_dir() and (entry.name.startswith("kafka-") or entry.name == "cds"):
            (private / entry.name).symlink_to(entry)
    monkeypatch.setenv("IDEMLAB_CACHE", str(private))
    return private


@pytest.fixture
def no_java(tmp_path, monkeypatch) -> dict[str, str]:
    """PATH without java or mvn, no JAVA_HOME, no KAFKA_HOME, an empty jar cache."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    monkeypatch.setenv("IDEMLAB_CACHE", str(tmp_path / "cache"))
    return python_env()


# -------------------------------------------------------------------- tests


@pytest.mark.timeout(120)
def test_cluster_answers_metadata_after_start(kafka_cluster):
    node = kafka_cluster.nodes[1]
    assert kafka_cluster.bootstrap == f"127.0.0.1:{node.port}"
    assert node.alive and process_running(node.pid)
    assert broker_ids(kafka_cluster.bootstrap) == {1}


@pytest.mark.timeout(120)
def test_clean_stop_and_hard_kill_end_the_jvm(kafka_cluster):
    for end_node in (kafka_cluster.stop, kafka_cluster.kill):
        pid = kafka_cluster.nodes[1].pid
        end_node(1)
        assert not process_running(pid)
        assert not kafka_cluster.nodes[1].alive
        kafka_cluster.start_node(1)
        assert kafka_cluster.nodes[1].alive and kafka_cluster.nodes[1].pid != pid
        assert broker_ids(kafka_cluster.bootstrap) == {1}


@pytest.mark.timeout(120)
def test_stopped_node_starts_again_with_its_topic_data(kafka_cluster):
    topic = create_topic(kafka_cluster.bootstrap)
    produce(kafka_cluster.bootstrap, topic, [b"m1", b"m2", b"m3"])
    kafka_cluster.stop(1)
    kafka_cluster.start_node(1)
    assert consume(kafka_cluster.bootstrap, topic, 3) == [b"m1", b"m2", b"m3"]


@pytest.mark.timeout(240)
def test_three_node_cluster_answers_after_one_node_is_killed(java_required):
    with LocalCluster.start(brokers=3) as cluster:
        assert broker_ids(cluster.bootstrap) == {1, 2, 3}
        topic = create_topic(cluster.bootstrap, replicas=3)
        produce(cluster.bootstrap, topic, [b"before"])
        metadata = AdminClient({"bootstrap.servers": cluster.bootstrap}).list_topics(topic, timeout=10)
        leader = metadata.topics[topic].partitions[0].leader
        pids = [node.pid for node in cluster.nodes.values()]

        cluster.kill(leader)

        assert not cluster.nodes[leader].alive
        survivors = {node_id for node_id, node in cluster.nodes.items() if node.alive}
        assert survivors == {1, 2, 3} - {leader}
        assert wait_until(lambda: broker_ids(cluster.bootstrap) == survivors, timeout=30)
        produce(cluster.bootstrap, topic, [b"after"])  # acks=all with min.insync.replicas=2
        assert consume(cluster.bootstrap, topic, 2) == [b"before", b"after"]
    assert not any(process_running(pid) for pid in pids)
    assert not cluster.cluster_dir.exists()


@pytest.mark.timeout(120)
def test_port_in_use_is_skipped(java_required):
    with socket.socket() as occupied:
        occupied.bind(("127.0.0.1", 0))
        occupied.listen()
        busy_port = occupied.getsockname()[1]
        with LocalCluster.start(base_port=busy_port) as cluster:
            node = cluster.nodes[1]
            assert busy_port not in (node.port, node.controller_port)
            assert node.port > busy_port
            assert broker_ids(cluster.bootstrap) == {1}


@pytest.mark.timeout(120)
def test_port_taken_after_it_was_chosen_is_replaced(java_required, monkeypatch):
    with socket.socket() as occupied:
        occupied.bind(("127.0.0.1", 0))
        occupied.listen()
        busy_port = occupied.getsockname()[1]
        honest = launcher._port_is_free
        # The check passes, as when another process grabs the port before Kafka binds it.
        monkeypatch.setattr(launcher, "_port_is_free", lambda port: port == busy_port or honest(port))
        with LocalCluster.start(base_port=busy_port) as cluster:
            assert "Address already in use" in cluster.log_path.read_text()
            assert busy_port not in (cluster.nodes[1].port, cluster.nodes[1].controller_port)
            assert broker_ids(cluster.bootstrap) == {1}


@pytest.mark.timeout(60)
def test_broker_that_cannot_start_names_its_log_file(java_required):
    with pytest.raises(KafkaSetupError) as raised:
        LocalCluster.start(broker_config={"num.partitions": "many"})
    message = str(raised.value)
    log_file = Path(message.split("log is ")[1].split(":")[0])
    try:
        assert log_file.is_file() and "Invalid value many" in message
        assert not (log_file.parent.parent / "node-1").exists()  # storage removed, log kept
    finally:
        shutil.rmtree(log_file.parent.parent, ignore_errors=True)


@pytest.mark.timeout(60)
def test_missing_java_is_explained(no_java):
    with pytest.raises(KafkaSetupError) as raised:
        LocalCluster.start()
    message = str(raised.value)
    for hint in (
        "java",
        "apt-get install -y openjdk-17-jre-headless maven",
        "KAFKA_HOME",
        "--backend kafka://HOST:PORT",
        "--backend sim",
    ):
        assert hint in message

    result = run_cli("broker", "start", env=no_java)
    assert result.returncode == 2
    assert "apt-get install" in result.stderr and "KAFKA_HOME" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.timeout(180)
def test_cli_status_names_the_log_file(private_cache):
    env = python_env()
    started = run_cli("broker", "start", env=env)
    try:
        assert started.returncode == 0, started.stderr
        bootstrap = started.stdout.strip()
        assert bootstrap.startswith("127.0.0.1:")

        status = run_cli("broker", "status", env=env)
        assert status.returncode == 0, status.stderr
        assert f"bootstrap {bootstrap}" in status.stdout
        node_line = next(line for line in status.stdout.splitlines() if line.startswith("node 1"))
        log_file = Path(node_line.split(" log ")[1])
        assert log_file.is_file() and "Kafka version" in log_file.read_text()
        assert " alive " in node_line
        pid = int(node_line.split()[3])
        assert process_running(pid)

        wrong_node = run_cli("broker", "stop", "--node", "9", env=env)
        assert wrong_node.returncode == 2 and "no node 9" in wrong_node.stderr
        assert "Traceback" not in wrong_node.stderr

        stopped = run_cli("broker", "stop", env=env)
        assert stopped.returncode == 0, stopped.stderr
        assert not process_running(pid)
        assert not state_file().exists() and not log_file.exists()
    finally:
        if state_file().exists():
            run_cli("broker", "kill", env=env)
            run_cli("broker", "stop", env=env)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("owner_ends", ["exit", "sigkill"])
def test_broker_does_not_outlive_its_owner_process(java_required, owner_ends):
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, owner_ends], env=python_env(), cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    pid_text, cluster_dir = owner.stdout.readline().split()
    owner.wait(timeout=60)
    try:
        assert wait_until(lambda: not process_running(int(pid_text)), timeout=20)
        if owner_ends == "exit":
            assert not Path(cluster_dir).exists()  # atexit closed the cluster
    finally:
        shutil.rmtree(cluster_dir, ignore_errors=True)


ROOM_WORKER = """
import json, sys, threading, time
from idemlab import backends, scenarios
from idemlab.kafka import clusters, launcher
from idemlab.room_slots import Slots

slots, spans = Slots("real-runs", lambda: 2), []

def one_run():
    assert slots.take(600)
    try:
        started = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process of the host
        trace = backends.run(scenarios.load("happy-path"), "local")
        spans.append((started, time.monotonic(), trace.run_error))
    finally:
        slots.give_back()

runs = [threading.Thread(target=one_run) for _ in range(3)]
for run in runs:
    run.start()
for run in runs:
    run.join()
cluster = clusters.SHARED.peek()
print(json.dumps({"bootstrap": cluster.bootstrap, "launched": sorted(launcher.launched_pids()), "spans": spans}))
"""


@pytest.mark.timeout(900)
def test_two_room_workers_share_one_recorded_broker_and_two_run_slots(private_cache, tmp_path):
    env = python_env(IDEMLAB_SHARED_BROKER="host", IDEMLAB_ROOM_DIR=str(tmp_path / "room"))
    workers = [
        subprocess.Popen([sys.executable, "-c", ROOM_WORKER], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        reports = [json.loads(w.communicate(timeout=800)[0].strip().splitlines()[-1]) for w in workers]
        assert all(w.returncode == 0 for w in workers)
        assert reports[0]["bootstrap"] == reports[1]["bootstrap"]
        assert sorted(bool(report["launched"]) for report in reports) == [False, True]  # one worker started it
        spans = [span for report in reports for span in report["spans"]]
        assert len(spans) == 6 and all(error is None for _, _, error in spans)
        most_at_once = max(sum(1 for s, e, _ in spans if s <= moment < e) for moment, _, _ in spans)
        assert most_at_once <= 2
        status = run_cli("broker", "status", env=env)
        assert status.returncode == 0 and f"bootstrap {reports[0]['bootstrap']}" in status.stdout
        assert status.stdout.count(" alive ") == 1  # one broker JVM, the one `broker` manages
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        run_cli("broker", "kill", env=env)
        run_cli("broker", "stop", env=env)


@pytest.mark.timeout(600)
def test_a_broker_killed_during_repeated_runs_is_one_line_without_client_log(private_cache):
    env = python_env()
    started = run_cli("broker", "start", env=env)
    assert started.returncode == 0, started.stderr
    bootstrap = started.stdout.strip()
    command = subprocess.Popen(
        [sys.executable, "-m", "idemlab", "run", "lost-ack", "--backend", "local", "--repeat", "100"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
        # mid-run: as soon as the first run has made its topic (each run deletes its own, so
        # waiting for two at once could outlast all 100 runs, as it did once on a quiet machine)
        assert wait_until(
            lambda: any(name.startswith("idemlab-") for name in admin.list_topics(timeout=5).topics), timeout=300
        )
        assert run_cli("broker", "kill", env=env).returncode == 0
        out, err = command.communicate(timeout=400)
    finally:
        if command.poll() is None:
            command.kill()
        run_cli("broker", "stop", env=env)
    assert command.returncode in (0, 2), err
    assert "Traceback" not in err and "rdkafka" not in err and "%3|" not in err, err
    if command.returncode == 2:
        assert err.count("\n") == 1 and "broker" in err
    else:
        assert "broker" in out.lower()
