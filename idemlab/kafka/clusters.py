"""Which real cluster a run uses, and the admin work around it.

- "local": the cluster a `broker start` left running, else one this process starts and
  shares between runs.  A scenario that stops or kills brokers, or needs its own broker
  settings (producer.id.expiration.check.interval.ms is static), gets a dedicated
  cluster for that run, so one learner's broker failure never disturbs another's run.
- "kafka://HOST:PORT": an existing cluster; no broker actions.

Dedicated clusters are 1-3 JVMs each: at most IDEMLAB_MAX_DEDICATED (default 1) run at
once in the whole room (all of serve's worker processes: idemlab.room_slots); a run that needs one waits up to DEDICATED_WAIT_S for its turn,
then is refused with a message (a server full of learners cannot start a JVM each).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from idemlab.model import Scenario
from idemlab.room_slots import Slots

CONNECT_TIMEOUT_S = 8.0
# A short check interval lets producer-id expiry (C15) be seen within seconds; it only
# costs a scan of an in-memory map per partition per second.
SHARED_BROKER_CONFIG = {"producer.id.expiration.check.interval.ms": 1000}
DEDICATED_WAIT_S = 120.0


def max_dedicated() -> int:
    try:
        return max(1, int(os.environ.get("IDEMLAB_MAX_DEDICATED", "1")))
    except ValueError:
        return 1


DEDICATED = Slots("dedicated-clusters", max_dedicated)  # shared by the room's processes


class ClusterUnavailable(RuntimeError):
    """str() says why, in words a learner can act on."""


@dataclass
class ClusterHandle:
    bootstrap: str
    local: Any = None  # a LocalCluster when we can stop/kill/start nodes
    dedicated: bool = False
    client_config: Mapping[str, Any] = field(default_factory=dict)

    def admin(self) -> AdminClient:
        from idemlab.kafka.runner import CLIENT_LOG  # runner imports this module

        # librdkafka's own lines go to the client log (shown with --client-log), never to stderr
        return AdminClient({"bootstrap.servers": self.bootstrap, "logger": CLIENT_LOG, **self.client_config})

    def upstreams(self) -> dict[int, tuple[str, int]]:
        if self.local is not None:
            return {node_id: ("127.0.0.1", status.port) for node_id, status in self.local.nodes.items()}
        try:
            metadata = self.admin().list_topics(timeout=CONNECT_TIMEOUT_S)
        except KafkaException as exc:
            raise ClusterUnavailable(
                f"Cannot reach the Kafka cluster at {self.bootstrap} within {CONNECT_TIMEOUT_S:.0f} s "
                f"({exc.args[0].str()}). Check the address, or use the simulated broker."
            ) from None
        return {b.id: (b.host, b.port) for b in metadata.brokers.values()}

    def close(self) -> None:
        if self.dedicated and self.local is not None:
            try:
                self.local.close()
            finally:
                self.local = None
                DEDICATED.give_back()


SHARED_BROKER_ENV = "IDEMLAB_SHARED_BROKER"  # "host": one recorded broker for every process (serve sets it)


@contextlib.contextmanager
def _host_lock():
    """Held while a process looks for, or starts, the shared broker: two workers asking
    at once start one JVM, not two."""
    from idemlab.kafka.launcher import state_file

    path = state_file().with_name("shared-broker.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SharedLocalCluster:
    """The local cluster runs share, started on first use; thread-safe.  With
    IDEMLAB_SHARED_BROKER=host (serve's workers) it is started detached and recorded like
    `broker start`'s, so every process of the host uses that one JVM and
    `python -m idemlab broker status|stop|kill` sees and manages it; otherwise it belongs
    to this process and dies with it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cluster = None

    def get(self):
        from idemlab.kafka.jars import KafkaSetupError
        from idemlab.kafka.launcher import LocalCluster

        with self._lock, _host_lock():
            if self._cluster is not None and all(n.alive for n in self._cluster.nodes.values()):
                return self._cluster
            try:
                attached = LocalCluster.attach()
                if attached.nodes and all(n.alive for n in attached.nodes.values()):
                    self._cluster = attached
                    return attached
            except (KafkaSetupError, KeyError, TypeError):  # nothing recorded, or a stale record: start anew
                pass
            detached = os.environ.get(SHARED_BROKER_ENV) == "host"
            self._cluster = LocalCluster.start(brokers=1, broker_config=SHARED_BROKER_CONFIG, owned=not detached)
            return self._cluster

    def peek(self):
        return self._cluster

    def use(self, cluster) -> None:
        """Share a cluster someone else owns (the test session's, for instance)."""
        with self._lock:
            self._cluster = cluster


SHARED = SharedLocalCluster()


def needs_dedicated_cluster(scenario: Scenario) -> bool:
    return scenario.brokers > 1 or bool(scenario.broker_config) or any(s.kind == "broker" for s in scenario.steps)


def acquire(scenario: Scenario, backend: str, client_config: Mapping[str, Any] | None = None) -> ClusterHandle:
    from idemlab.kafka.jars import KafkaSetupError
    from idemlab.kafka.launcher import LocalCluster

    if backend.startswith("kafka://"):
        if any(s.kind == "broker" for s in scenario.steps):
            raise ClusterUnavailable(
                "This scenario stops or starts brokers, which only the local back end can do; "
                "run it on the local broker or the simulated one."
            )
        protocol = str((client_config or {}).get("security.protocol", "plaintext")).lower()
        if protocol in ("ssl", "sasl_ssl"):
            raise ClusterUnavailable(
                f"security.protocol={protocol.upper()}: the lab's fault proxy must read every Kafka "
                "frame to inject faults and show the wire, which TLS prevents. Use a PLAINTEXT or "
                "SASL_PLAINTEXT listener, the local broker, or the simulated broker."
            )
        handle = ClusterHandle(backend[len("kafka://") :], client_config=dict(client_config or {}))
        handle.upstreams()  # fails fast and clearly when unreachable
        return handle
    try:
        if needs_dedicated_cluster(scenario):
            config = {**SHARED_BROKER_CONFIG, **{k: v for k, v in scenario.broker_config.items()}}
            if scenario.brokers == 3:
                config.setdefault("min.insync.replicas", 2)
            if not DEDICATED.take(DEDICATED_WAIT_S):
                raise ClusterUnavailable(
                    f"This scenario needs a broker cluster of its own, and the {max_dedicated()} this server "
                    f"allows at once stayed busy for {DEDICATED_WAIT_S:.0f} s. Try again in a minute, or use "
                    "the simulated broker."
                )
            try:
                local = LocalCluster.start(brokers=scenario.brokers, broker_config=config)
            except BaseException:
                DEDICATED.give_back()
                raise
            return ClusterHandle(local.bootstrap, local=local, dedicated=True)
        local = SHARED.get()
        return ClusterHandle(local.bootstrap, local=local)
    except KafkaSetupError as exc:
        raise ClusterUnavailable(str(exc)) from None


def unique_topic(scenario: Scenario) -> str:
    return f"idemlab-{scenario.name}-{uuid.uuid4().hex[:8]}"


def create_topic(handle: ClusterHandle, scenario: Scenario, topic: str) -> None:
    config = {key: str(value) for key, value in scenario.topic.items()}
    new = NewTopic(
        topic, num_partitions=scenario.partitions, replication_factor=scenario.replication_factor, config=config
    )
    admin = handle.admin()  # must outlive its futures
    futures = admin.create_topics([new], operation_timeout=15, request_timeout=15)
    try:
        futures[topic].result(timeout=20)
    except KafkaException as exc:
        raise ClusterUnavailable(f"The broker could not create topic {topic}: {exc.args[0].str()}") from None


def delete_topic(handle: ClusterHandle, topic: str) -> None:
    try:
        admin = handle.admin()
        admin.delete_topics([topic], operation_timeout=5)[topic].result(timeout=10)
    except KafkaException:  # best effort: a dedicated cluster is deleted anyway
        pass


def leader_of(handle: ClusterHandle, topic: str, partition: int) -> int | None:
    try:
        metadata = handle.admin().list_topics(topic, timeout=5)
        return metadata.topics[topic].partitions[partition].leader
    except (KafkaException, KeyError):  # unreachable, or the topic or partition is not in the metadata
        return None
