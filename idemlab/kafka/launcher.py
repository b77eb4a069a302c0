"""A local Apache Kafka cluster (KRaft, no ZooKeeper) on 127.0.0.1 for the real-broker back end.

Each node is one JVM acting as broker and controller, with its storage formatted in a
fresh temporary directory. An *owned* cluster dies with the Python process that
started it; an unowned one (the `broker start` command) runs detached and is recorded
in a state file so that `broker status|stop|kill` in another process can find it.
"""

from __future__ import annotations

import atexit
import base64
import concurrent.futures
import contextlib
import ctypes
import functools
import hashlib
import json
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from idemlab.kafka.jars import (
    DEFAULT_KAFKA_VERSION,
    KafkaSetupError,
    cache_root,
    find_java,
    jars_version,
    kafka_classpath,
)

__all__ = ["KafkaSetupError", "LocalCluster", "NodeStatus", "state_file"]

READY_TIMEOUT_S = 90.0  # generous: a 3-node start on 2 busy cores can take 40 s
STOP_TIMEOUT_S = 30.0
KILL_WAIT_S = 10.0
PORT_ATTEMPTS = 3
FOLDER_PREFIX = "idemlab-kafka-"
OWNER_FILE = "owner"

# Measured on 2 cores (benchmarks/broker_cold_start.py): the class-data-sharing archive
# (see _cds_options) halves start-up; C1-only JIT and the serial collector trim a little
# more and keep a lab-sized broker small.
JVM_OPTIONS = [
    "-Xmx384m",
    "-Xms64m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Xshare:auto",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
]
FORMAT_JVM_OPTIONS = ["-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"]

# Kafka logs to stdout, which the launcher sends to the node's log file.
LOG4J2_PROPERTIES = """\
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.target = SYSTEM_OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${sys:idemlab.log.level:-INFO}
rootLogger.appenderRef.out.ref = OUT
"""

_log = logging.getLogger(__name__)
_librdkafka_log = logging.getLogger("idemlab.kafka.launcher.librdkafka")
_launched_pids: set[int] = set()


def state_file() -> Path:
    """Where an unowned (CLI-started) cluster is recorded."""
    return cache_root() / "run" / "cluster.json"


def launched_pids() -> set[int]:
    """Pids of every broker JVM this Python process has launched (for leak checks)."""
    return set(_launched_pids)


@dataclass(frozen=True)
class NodeStatus:
    node_id: int
    port: int
    controller_port: int
    pid: int | None
    alive: bool
    log_path: Path


@dataclass
class _Node:
    node_id: int
    port: int
    controller_port: int
    pid: int | None = None
    process: subprocess.Popen | None = None
    cds_dump: Path | None = None  # where this JVM writes a class-data archive at exit


class LocalCluster:
    def __init__(
        self,
        cluster_dir: Path,
        java: Path,
        classpath: list[Path],
        nodes: list[_Node],
        owned: bool,
        broker_config: dict[str, str],
    ):
        self.cluster_dir = cluster_dir
        self.kafka_version = jars_version(classpath) or "unknown"
        self._java = java
        self._classpath = classpath
        self._nodes = {node.node_id: node for node in nodes}
        self._owned = owned
        self._broker_config = broker_config
        if owned:
            atexit.register(self.close)

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    def start(
        cls,
        brokers: int = 1,
        kafka_version: str = DEFAULT_KAFKA_VERSION,
        broker_config: dict | None = None,
        owned: bool = True,
        *,
        base_port: int | None = None,
        timeout: float = READY_TIMEOUT_S,
    ) -> LocalCluster:
        """Format and start a cluster, returning once every node answers metadata requests.

        base_port: try ports from there upward (skipping any in use) instead of
        OS-chosen free ports.
        """
        if brokers not in (1, 3):
            raise ValueError(f"a local cluster has 1 or 3 brokers, not {brokers}")
        java = find_java()
        classpath = kafka_classpath(kafka_version)
        if not owned:
            _forget_stale_record()
        remove_orphaned_folders()
        cluster_dir = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        if owned:  # a killed owner cannot clean up: the next start removes the folder
            (cluster_dir / OWNER_FILE).write_text(_process_identity(os.getpid()))
        config = {key: _property_value(value) for key, value in (broker_config or {}).items()}
        nodes = [_Node(node_id, 0, 0) for node_id in range(1, brokers + 1)]
        cluster = cls(cluster_dir, java, classpath, nodes, owned, config)
        try:
            cluster._write_log_config()
            cluster._assign_ports(base_port, avoid=set())
            cluster._format_storage()
            cluster._launch_until_ready(base_port, time.monotonic() + timeout)
        except BaseException:
            cluster._discard_failed_start()
            raise
        cluster._save_state()
        return cluster

    @classmethod
    def attach(cls) -> LocalCluster:
        """The cluster recorded by an unowned start (e.g. `broker start` in another process)."""
        path = state_file()
        try:
            state = json.loads(path.read_text())
        except FileNotFoundError:
            raise KafkaSetupError(
                f"No local Kafka broker is recorded in {path}. Start one with `python -m idemlab broker start`."
            ) from None
        except (OSError, ValueError) as error:
            raise KafkaSetupError(f"The broker state file {path} is unreadable ({error}); delete it.") from None
        nodes = [
            _Node(
                n["node_id"],
                n["port"],
                n["controller_port"],
                n["pid"],
                cds_dump=Path(n["cds_dump"]) if n.get("cds_dump") else None,
            )
            for n in state["nodes"]
        ]
        return cls(
            Path(state["cluster_dir"]),
            Path(state["java"]),
            [Path(jar) for jar in state["classpath"]],
            nodes,
            False,
            state["broker_config"],
        )

    def stop(self, node_id: int | None = None, timeout: float = STOP_TIMEOUT_S) -> None:
        """Clean shutdown (SIGTERM) of one node or all; SIGKILL whatever outlives the timeout."""
        targets = [node for node in self._targets(node_id) if self._alive(node)]
        for node in targets:
            _signal(node.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for node in targets:
            if self._wait_exit(node, deadline):
                self._adopt_cds_archive(node)
            else:
                _log.warning("Kafka node %s ignored SIGTERM for %.0f s; killing it", node.node_id, timeout)
                _signal(node.pid, signal.SIGKILL)
                self._wait_exit(node, time.monotonic() + KILL_WAIT_S)
            node.cds_dump = None
        self._save_state()

    def kill(self, node_id: int | None = None) -> None:
        """Hard stop (SIGKILL) of one node or all: no shutdown, no producer-state snapshot."""
        targets = [node for node in self._targets(node_id) if self._alive(node)]
        for node in targets:
            _signal(node.pid, signal.SIGKILL)
        deadline = time.monotonic() + KILL_WAIT_S
        for node in targets:
            self._wait_exit(node, deadline)
            node.cds_dump = None
        self._save_state()

    def start_node(self, node_id: int, timeout: float = READY_TIMEOUT_S) -> None:
        """Start a stopped or killed node again with its storage and ports; no-op if running."""
        node = self._targets(node_id)[0]
        if self._alive(node):
            return
        for port in (node.port, node.controller_port):
            if not _port_is_free(port):
                raise KafkaSetupError(
                    f"Kafka node {node_id} cannot restart: its port {port} is now used by "
                    "another process. Stop that process, or close this cluster and start a new one."
                )
        self._launch(node)
        self._save_state()
        self._wait_ready([node], time.monotonic() + timeout)

    def close(self) -> None:
        """Stop every node and delete the cluster's directory (storage and logs)."""
        atexit.unregister(self.close)
        self.stop()
        shutil.rmtree(self.cluster_dir, ignore_errors=True)
        if not self._owned and self._is_recorded():
            state_file().unlink(missing_ok=True)

    def _discard_failed_start(self) -> None:
        # Like close(), but the logs stay: the error message points at them.
        atexit.unregister(self.close)
        self.kill()
        for entry in self.cluster_dir.iterdir():
            if entry.name == "logs":
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        if not self._owned and self._is_recorded():
            state_file().unlink(missing_ok=True)

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ------------------------------------------------------------------- views

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{node.port}" for node in self._sorted_nodes())

    @property
    def nodes(self) -> dict[int, NodeStatus]:
        return {
            node.node_id: NodeStatus(
                node.node_id, node.port, node.controller_port, node.pid, self._alive(node), self._log_path(node)
            )
            for node in self._sorted_nodes()
        }

    @property
    def log_path(self) -> Path:
        """The log file of the lowest-numbered node (the only one in a 1-node cluster)."""
        return self._log_path(self._sorted_nodes()[0])

    @property
    def owned(self) -> bool:
        return self._owned

    # ---------------------------------------------------------------- start-up

    def _write_log_config(self) -> None:
        (self.cluster_dir / "logs").mkdir()
        (self.cluster_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)

    def _assign_ports(self, base_port: int | None, avoid: set[int]) -> None:
        ports = _choose_ports(2 * len(self._nodes), base_port, avoid)
        for index, node in enumerate(self._sorted_nodes()):
            node.port, node.controller_port = ports[2 * index], ports[2 * index + 1]
        for node in self._nodes.values():
            _write_properties(self._properties_path(node), self._server_properties(node))

    def _server_properties(self, node: _Node) -> dict[str, str]:
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self._sorted_nodes())
        properties = {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            # Static voters keep the formatted storage independent of the ports, so a
            # port clash at launch only needs new ports, not a new format.
            "controller.quorum.voters": voters,
            "listeners": f"PLAINTEXT://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{node.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self._data_dir(node)),
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
            "num.partitions": "1",
            # One partition per internal topic: creating 50 on first use costs seconds here.
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.num.partitions": "1",
            "share.coordinator.state.topic.num.partitions": "1",
            # A restarted controller refuses a hard-killed broker's re-registration until
            # the old session expires (default 9 s); shorter sessions restart it sooner.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "3000",
        }
        properties.update(_replication_properties(len(self._nodes)))
        properties.update(self._broker_config)
        return properties

    def _format_storage(self) -> None:
        cluster_id = _random_cluster_id()
        formatting = []
        for node in self._sorted_nodes():
            argv = [
                str(self._java),
                *FORMAT_JVM_OPTIONS,
                *self._cds_options(node, dump=False),
                "-Didemlab.log.level=WARN",
                *self._common_jvm_properties(),
                "-cp",
                self._classpath_string(),
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                cluster_id,
                "--config",
                str(self._properties_path(node)),
            ]
            formatting.append((node, self._spawn(argv, self._log_path(node))))
        deadline = time.monotonic() + 120
        for node, process in formatting:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.returncode != 0:
                raise KafkaSetupError(
                    f"Formatting the storage of Kafka node {node.node_id} failed (exit "
                    f"{process.returncode}). Its log is {self._log_path(node)}: "
                    f"{_tail(self._log_path(node), 0)}"
                )

    def _launch_until_ready(self, base_port: int | None, deadline: float) -> None:
        tried_ports: set[int] = set()
        for attempt in range(PORT_ATTEMPTS):
            log_offsets = {node.node_id: self._launch(node) for node in self._sorted_nodes()}
            self._save_state()
            try:
                self._wait_ready(list(self._nodes.values()), deadline, log_offsets)
                return
            except _PortTaken as taken:
                if attempt == PORT_ATTEMPTS - 1:
                    raise KafkaSetupError(
                        f"Kafka could not bind its ports after {PORT_ATTEMPTS} attempts; the last "
                        f"clash was on node {taken.node_id} (see {self._log_path(self._nodes[taken.node_id])})."
                    ) from None
                _log.info("a chosen port was taken before Kafka bound it; choosing new ports")
                self.kill()
                tried_ports |= {p for n in self._nodes.values() for p in (n.port, n.controller_port)}
                self._assign_ports(base_port, avoid=tried_ports)

    def _launch(self, node: _Node) -> int:
        """Start the node's JVM; returns the log size before launch (where its output begins)."""
        log_path = self._log_path(node)
        log_offset = log_path.stat().st_size if log_path.exists() else 0
        argv = [
            str(self._java),
            *JVM_OPTIONS,
            *self._cds_options(node, dump=True),
            *self._common_jvm_properties(),
            "-cp",
            self._classpath_string(),
            "kafka.Kafka",
            str(self._properties_path(node)),
        ]
        node.process = self._spawn(argv, log_path)
        node.pid = node.process.pid
        return log_offset

    def _spawn(self, argv: list[str], log_path: Path) -> subprocess.Popen:
        with open(log_path, "ab") as log:
            options = dict(stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.cluster_dir)
            if self._owned:
                process = _owned_spawner.popen(argv, **options)
            else:
                process = subprocess.Popen(argv, start_new_session=True, **options)
        _launched_pids.add(process.pid)
        return process

    def _wait_ready(self, waiting: list[_Node], deadline: float, log_offsets: dict[int, int] | None = None) -> None:
        """Until each waiting node answers metadata listing every running node."""
        log_offsets = log_offsets or {}
        began = time.monotonic()
        pending = list(waiting)
        while pending:
            for node in pending:
                if not self._alive(node):
                    self._raise_early_exit(node, log_offsets.get(node.node_id, 0))
            running_ids = {n.node_id for n in self._nodes.values() if self._alive(n)}
            pending = [node for node in pending if not _answers_metadata(node.port, running_ids, deadline)]
            if pending and time.monotonic() > deadline:
                logs = ", ".join(str(self._log_path(node)) for node in pending)
                raise KafkaSetupError(
                    f"Kafka node(s) {', '.join(str(n.node_id) for n in pending)} did not answer a "
                    f"metadata request within {time.monotonic() - began:.0f} s. See the log: {logs}"
                )
            if pending:
                time.sleep(0.1)

    def _raise_early_exit(self, node: _Node, log_offset: int) -> None:
        if "Address already in use" in _read_from(self._log_path(node), log_offset):
            raise _PortTaken(node.node_id)
        output = _tail(self._log_path(node), log_offset)
        code = node.process.poll() if node.process else None
        raise KafkaSetupError(
            f"Kafka node {node.node_id} exited during start-up"
            f"{f' with code {code}' if code is not None else ''}. Its log is "
            f"{self._log_path(node)}; last lines: {output}"
        )

    # -------------------------------------------------------- class-data sharing

    def _cds_options(self, node: _Node, dump: bool) -> list[str]:
        # A dynamic class-data-sharing archive of a broker's classes, written once by a
        # JVM at exit, then mapped by every later JVM on the same java and class path.
        archive = self._cds_archive()
        if archive.exists():
            return [f"-XX:SharedArchiveFile={archive}"]
        if dump and node.node_id == min(self._nodes):
            node.cds_dump = self.cluster_dir / "logs" / f"node-{node.node_id}.jsa.part"
            return [f"-XX:ArchiveClassesAtExit={node.cds_dump}"]
        return []

    def _cds_archive(self) -> Path:
        digest = hashlib.sha1()
        for path in [self._java.resolve(), *self._classpath]:
            stat = path.stat()
            digest.update(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        return cache_root() / "cds" / f"kafka-{digest.hexdigest()[:20]}.jsa"

    def _adopt_cds_archive(self, node: _Node) -> None:
        if node.cds_dump is None or not node.cds_dump.is_file():
            return
        archive = self._cds_archive()
        archive.parent.mkdir(parents=True, exist_ok=True)
        staging = archive.with_name(f"{archive.name}.{os.getpid()}.tmp")
        try:
            shutil.move(str(node.cds_dump), staging)
            os.replace(staging, archive)
        except OSError as error:
            _log.warning("could not keep the class-data archive: %s", error)
            staging.unlink(missing_ok=True)

    # ----------------------------------------------------------------- helpers

    def _common_jvm_properties(self) -> list[str]:
        return [
            f"-Dlog4j2.configurationFile={self.cluster_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.cluster_dir / 'logs'}",
        ]

    def _classpath_string(self) -> str:
        return os.pathsep.join(str(jar) for jar in self._classpath)

    def _properties_path(self, node: _Node) -> Path:
        return self.cluster_dir / f"node-{node.node_id}" / "server.properties"

    def _data_dir(self, node: _Node) -> Path:
        return self.cluster_dir / f"node-{node.node_id}" / "data"

    def _log_path(self, node: _Node) -> Path:
        return self.cluster_dir / "logs" / f"node-{node.node_id}.log"

    def _sorted_nodes(self) -> list[_Node]:
        return [self._nodes[node_id] for node_id in sorted(self._nodes)]

    def _targets(self, node_id: int | None) -> list[_Node]:
        if node_id is None:
            return self._sorted_nodes()
        if node_id not in self._nodes:
            known = ", ".join(str(n) for n in sorted(self._nodes))
            raise ValueError(f"this cluster has no node {node_id}; its nodes are {known}")
        return [self._nodes[node_id]]

    def _alive(self, node: _Node) -> bool:
        if node.process is not None:
            return node.process.poll() is None
        return node.pid is not None and _pid_runs(node.pid, str(self.cluster_dir))

    def _wait_exit(self, node: _Node, deadline: float) -> bool:
        if node.process is not None:
            try:
                node.process.wait(timeout=max(0.0, deadline - time.monotonic()))
                return True
            except subprocess.TimeoutExpired:
                return False
        while self._alive(node):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _save_state(self) -> None:
        if self._owned or (state_file().exists() and not self._is_recorded()):
            return
        state = {
            "cluster_dir": str(self.cluster_dir),
            "java": str(self._java),
            "classpath": [str(jar) for jar in self._classpath],
            "broker_config": self._broker_config,
            "nodes": [
                {
                    "node_id": n.node_id,
                    "port": n.port,
                    "controller_port": n.controller_port,
                    "pid": n.pid,
                    "cds_dump": str(n.cds_dump) if n.cds_dump else None,
                }
                for n in self._sorted_nodes()
            ],
        }
        path = state_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        staging.write_text(json.dumps(state, indent=2))
        os.replace(staging, path)

    def _is_recorded(self) -> bool:
        try:
            return json.loads(state_file().read_text())["cluster_dir"] == str(self.cluster_dir)
        except (OSError, ValueError, KeyError):
            return False


def _process_identity(pid: int) -> str:
    """pid and start time (so a reused pid is not mistaken for the owner)."""
    try:
        start = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        start = "?"
    return f"{pid} {start}"


def remove_orphaned_folders(root: Path | None = None) -> list[Path]:
    """Delete the folders of owned clusters whose owning process is gone (killed before
    its exit handlers ran); their JVMs died with it (PR_SET_PDEATHSIG).  Returns them."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            recorded = (folder / OWNER_FILE).read_text().strip()
        except OSError:
            continue  # not an owned cluster (a `broker start` one, or not ours)
        pid = int(recorded.split()[0]) if recorded.split() and recorded.split()[0].isdigit() else -1
        if pid > 0 and _process_identity(pid) == recorded:
            continue  # its owner is alive
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _forget_stale_record() -> None:
    """Refuse to start over a running recorded cluster; drop the record of a dead one."""
    try:
        recorded = LocalCluster.attach()
    except KafkaSetupError:
        state_file().unlink(missing_ok=True)
        return
    running = [status for status in recorded.nodes.values() if status.alive]
    if running:
        raise KafkaSetupError(
            f"A local Kafka broker is already running ({recorded.bootstrap}, recorded in "
            f"{state_file()}). Use it, or stop it first with `python -m idemlab broker stop`."
        )
    shutil.rmtree(recorded.cluster_dir, ignore_errors=True)
    state_file().unlink(missing_ok=True)


class _PortTaken(Exception):
    def __init__(self, node_id: int):
        super().__init__(node_id)
        self.node_id = node_id


class _OwnedSpawner:
    """Starts owned JVMs from one thread that lives as long as the interpreter.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process;
    forking from a short-lived thread (Streamlit runs each script run in its own thread)
    would kill the broker as soon as that thread finished.
    """

    def __init__(self) -> None:
        self._requests: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def popen(self, argv: list[str], **options) -> subprocess.Popen:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="idemlab-jvm-spawner", daemon=True)
                self._thread.start()
        result: concurrent.futures.Future = concurrent.futures.Future()
        self._requests.put((argv, options, result))
        return result.result()

    def _serve(self) -> None:
        while True:
            argv, options, result = self._requests.get()
            try:
                die_with_us = functools.partial(_die_with_parent, os.getpid())
                result.set_result(subprocess.Popen(argv, preexec_fn=die_with_us, **options))
            except BaseException as error:  # noqa: BLE001 - re-raised by the caller's result()
                result.set_exception(error)


_owned_spawner = _OwnedSpawner()
_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent(parent_pid: int) -> None:
    # Runs in the child between fork and exec.
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _replication_properties(brokers: int) -> dict[str, str]:
    replicas, min_isr = ("1", "1") if brokers == 1 else ("3", "2")
    return {
        "default.replication.factor": replicas,
        "min.insync.replicas": min_isr,
        "offsets.topic.replication.factor": replicas,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": min_isr,
        "share.coordinator.state.topic.replication.factor": replicas,
        "share.coordinator.state.topic.min.isr": min_isr,
    }


def _random_cluster_id() -> str:
    # Kafka's Uuid text form: URL-safe base64 of 16 bytes without padding; Kafka never
    # hands out ids starting with '-' since they read as command-line options.
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


def _property_value(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _write_properties(path: Path, properties: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))


def _choose_ports(count: int, base_port: int | None, avoid: set[int]) -> list[int]:
    if base_port is None:
        return _os_chosen_ports(count, avoid)
    ports = []
    candidate = base_port
    while len(ports) < count:
        if candidate > 65535:
            raise KafkaSetupError(f"No {count} free ports from {base_port} upward on 127.0.0.1.")
        if candidate not in avoid and _port_is_free(candidate):
            ports.append(candidate)
        candidate += 1
    return ports


def _os_chosen_ports(count: int, avoid: set[int]) -> list[int]:
    # Sockets stay bound until all ports are picked so the OS hands out distinct ones.
    held: list[socket.socket] = []
    chosen: list[int] = []
    try:
        while len(chosen) < count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(sock)
            sock.bind(("127.0.0.1", 0))
            if sock.getsockname()[1] not in avoid:
                chosen.append(sock.getsockname()[1])
        return chosen
    finally:
        for sock in held:
            sock.close()


def _port_is_free(port: int) -> bool:
    # SO_REUSEADDR as Kafka's acceptor uses it: TIME_WAIT leftovers do not count as in use.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _answers_metadata(port: int, expected_ids: set[int], deadline: float) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{port}", "logger": _librdkafka_log})
    try:
        metadata = admin.list_topics(timeout=max(0.5, min(5.0, deadline - time.monotonic())))
    except KafkaException:
        return False
    return expected_ids <= set(metadata.brokers)


def _pid_runs(pid: int, marker: str) -> bool:
    """Whether pid is a live (not zombie) process whose command line mentions marker."""
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        command_line = (proc / "cmdline").read_bytes().decode(errors="replace")
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X") and marker in command_line


def _signal(pid: int | None, signum: int) -> None:
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")
    except OSError:
        return ""


def _tail(path: Path, offset: int, lines: int = 3) -> str:
    """The log's error lines (exceptions without their stack frames), else its last lines."""
    text = [line.strip() for line in _read_from(path, offset).splitlines() if line.strip()]
    errors = [
        line
        for line in text
        if ("Exception" in line or " ERROR " in line or "Error:" in line) and not line.startswith(("at ", "..."))
    ]
    return " | ".join((errors or text)[-lines:])[-1500:] or "(empty log)"
