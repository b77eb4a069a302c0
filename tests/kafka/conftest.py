"""Real-broker fixtures: a session-wide local Kafka node and the Java/Maven precondition.

`kafka_cluster` API other suites may rely on: .bootstrap, .nodes (id -> .port, .pid,
.alive, .log_path), .stop(node_id), .kill(node_id), .start_node(node_id). A test that
stops or kills the node must start it again before it ends.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from idemlab.kafka.launcher import LocalCluster, launched_pids
from tests.needs import require_kafka

# producer.id.expiration.check.interval.ms is static (server.properties only); a 1 s
# check lets producer-id expiry tests (C15) lower the dynamic producer.id.expiration.ms.
SESSION_BROKER_CONFIG = {"producer.id.expiration.check.interval.ms": 1000}


def require_java() -> None:
    """Skip the calling test when no local broker can run (fail instead under CI=true)."""
    require_kafka()


def process_running(pid: int) -> bool:
    """Whether pid is a live process (a zombie awaiting its parent counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.fixture
def java_required() -> None:
    """require_java() for tests (pytest.ini's importlib mode keeps conftest unimportable)."""
    require_java()


@pytest.fixture(scope="session", autouse=True)
def no_broker_left_running():
    """After the session, every broker JVM the tests launched in this process has ended."""
    yield
    leftovers = sorted(pid for pid in launched_pids() if process_running(pid))
    for pid in leftovers:
        os.kill(pid, signal.SIGKILL)
    assert not leftovers, f"broker JVMs still running after the test session: {leftovers}"


@pytest.fixture(scope="session")
def kafka_cluster(no_broker_left_running):
    """One owned single-node cluster for the whole session, closed at the end."""
    require_java()
    cluster = LocalCluster.start(brokers=1, broker_config=SESSION_BROKER_CONFIG)
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def shared_local_cluster(kafka_cluster):
    """Runs on the "local" back end that need no broker actions share the session's broker."""
    from idemlab.kafka import clusters

    clusters.SHARED.use(kafka_cluster)
    yield kafka_cluster
    clusters.SHARED.use(None)
