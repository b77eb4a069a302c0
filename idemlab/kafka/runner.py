"""Run a scenario on a real Apache Kafka broker with the real confluent-kafka client.

The producer reaches the broker only through the fault proxy, which injects the
scenario's faults and reports every request on the wire; the stored log is read back
through the proxy too, so it comes with the producer id, epoch and sequence of every
record.  The result is the same Trace the simulator returns.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from idemlab.errors import BackendUnavailable
from idemlab.kafka import clusters
from idemlab.kafka.describe import describe_producers
from idemlab.kafka.producer_state_reader import READ_AFTER_EACH_DECISION_UP_TO, READ_TIMEOUT_S, ProducerStateReader
from idemlab.kafka.proxy import ProxyThread
from idemlab.kafka.records import MSG_HEADER
from idemlab.kafka.remembered import batches_seen, remembered_since_action
from idemlab.model import (
    BROKER_ACTION,
    BROKER_DECISION,
    CONNECTION_CLOSED,
    DELIVERY_REPORT,
    EPOCH_BUMP,
    FATAL_ERROR,
    FLUSH,
    INIT_PRODUCER_ID,
    NO_PRODUCER_ID,
    PRODUCE,
    PRODUCE_CALLED,
    PRODUCE_REFUSED,
    PRODUCER_ID_ASSIGNED,
    PRODUCER_RESTART,
    PRODUCER_STATE,
    REQUEST_SENT,
    RESPONSE_RECEIVED,
    RUN_ERROR,
    WAIT,
    Event,
    Scenario,
    Step,
    StoredRecord,
    Trace,
    event,
)
from idemlab.producer_config import ConfigError, resolve
from idemlab.timeline import State, step
from idemlab.words import span

PAD = "."
POLL_S = 0.05
FLUSH_SLACK_S = 30.0
BROKERS_DOWN_GRACE_S = 8.0
READ_BACK_TIMEOUT_S = 15.0
# A wait step on a real broker holds a broker (and, on a server, a run slot) for its
# whole length: capped, and the trace says so.  IDEMLAB_MAX_REAL_WAIT_MS overrides.
MAX_WAIT_MS = 60_000
RESTART_FOR_READ_BACK_S = 60.0
# librdkafka's own log lines go to this logger, which prints nothing unless asked for
# (`run --client-log`, or a handler the embedding application adds).
CLIENT_LOG = logging.getLogger("idemlab.librdkafka")
CLIENT_LOG.addHandler(logging.NullHandler())
CLIENT_LOG.propagate = False


def max_wait_ms() -> int:
    try:
        return max(0, int(os.environ.get("IDEMLAB_MAX_REAL_WAIT_MS", MAX_WAIT_MS)))
    except ValueError:
        return MAX_WAIT_MS


class RealRun:
    def __init__(
        self,
        scenario: Scenario,
        backend: str,
        on_event: Callable[[Event], None] | None,
        client_config: Mapping[str, Any] | None,
    ) -> None:
        self.scenario = scenario
        self.backend = backend
        self.on_event = on_event
        self.client_config = dict(client_config or {})
        self.events: list[Event] = []
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self.values: dict[int, str] = {}
        self.outstanding = 0
        self.fatal_error: str | None = None
        self.run_error: str | None = None
        self.producer: Producer | None = None
        self.state = State()  # the fold of the events so far: the producer's id and epoch
        self.producer_id = NO_PRODUCER_ID  # the fold's, for subclasses that read it (java_runner)
        self.expected_down: set[int] = set()
        self.all_brokers_down_since: float | None = None
        self.handle: clusters.ClusterHandle | None = None
        self.topic = clusters.unique_topic(scenario)
        self._next_msg = 1
        self._attempts: dict[int, int] = {}
        self.stored_known = True
        self.upstreams: dict[int, tuple[str, int]] = {}
        self._reader: ProducerStateReader | None = None
        # Changes when a broker action begins and once its own report is out: a background
        # read begun before (or during) the action is not emitted after it.
        self._read_generation = 0
        self._reads_closed = False
        # partition -> (index of the PRODUCER_STATE a broker action reported, {pid: (epoch, batches)}),
        # or (index of the action, None) while the action has no report
        self._after_action: dict[int, tuple[int, dict[int, tuple[int, list[list[int]]]] | None]] = {}

    # ---- events -------------------------------------------------------------------
    def clock(self) -> float:
        return (time.monotonic() - self._t0) * 1000.0

    def emit(self, kind: str, **detail: Any) -> None:
        self.record(event(self.clock(), kind, **detail))

    def record(self, event: Event, generation: int | None = None) -> None:
        """Add an event to the trace (from any thread).  With `generation` (a background read's
        PRODUCER_STATE), only if no broker action happened since the read began and the run's
        reads are not over."""
        msgs = event.get("msgs")
        if msgs and all(m in self.values for m in msgs):  # the values as the application gave them
            event = event._replace(detail=replace(event.detail, values=[self.values[m] for m in msgs]))
        with self._lock:
            if generation is not None and (generation != self._read_generation or self._reads_closed):
                return
            if event.kind == BROKER_ACTION:
                self._read_generation += 1
            if (
                event.kind == CONNECTION_CLOSED
                and self.events
                and self.events[-1].kind == CONNECTION_CLOSED
                and self.events[-1].get("reason") == event.get("reason")
            ):
                return  # the client retrying a dead broker every few ms: one event is enough
            if event.kind == REQUEST_SENT and event.get("api") == PRODUCE and msgs:
                self._attempts[msgs[0]] = self._attempts.get(msgs[0], 0) + 1
                event = event._replace(detail=replace(event.detail, attempt=self._attempts[msgs[0]]))
            self.events.append(event)
            self.state = step(self.state, event)
            derived = self._derive(event)
            for extra in derived:
                self.events.append(extra)
                self.state = step(self.state, extra)
            pid = self.state.producer_id
            self.producer_id = NO_PRODUCER_ID if pid is None else pid
        if event.kind == BROKER_DECISION and self._reader is not None and event.get("producer_id", -1) >= 0:
            self._reader.decided(event.get("partition"), event.get("broker"), _decision_words(event))
        if self.on_event:
            for e in [event, *derived]:
                self.on_event(e)

    def _derive(self, seen: Event) -> list[Event]:
        """PRODUCER_ID_ASSIGNED and EPOCH_BUMP, as seen on the wire: an InitProducerId
        answer, or a Produce request of the current producer id with a newer epoch than
        the fold (idemlab.timeline) knows."""
        get, state = seen.get, self.state
        if seen.kind == RESPONSE_RECEIVED and get("api") == INIT_PRODUCER_ID and not get("error"):
            pid, epoch = get("producer_id"), get("producer_epoch")
            return [event(seen.t_ms, PRODUCER_ID_ASSIGNED, producer_id=pid, producer_epoch=epoch)]
        pid = state.producer_id
        if (
            seen.kind == REQUEST_SENT
            and get("api") == PRODUCE
            and pid is not None
            and pid >= 0
            and get("producer_id") == pid
            and get("producer_epoch", -1) > (state.producer_epoch if state.producer_epoch is not None else -1)
        ):
            return [
                event(
                    seen.t_ms,
                    EPOCH_BUMP,
                    producer_id=pid,
                    from_epoch=state.producer_epoch,
                    to_epoch=get("producer_epoch"),
                    reason="seen on the wire",
                )
            ]
        return []

    # ---- the client ---------------------------------------------------------------
    def _producer_config(self, bootstrap: str) -> dict[str, Any]:
        return {
            **self.client_config,
            **dict(self.scenario.producer),
            "bootstrap.servers": bootstrap,
            "error_cb": self._on_client_error,
            "logger": CLIENT_LOG,
            "log_level": 7 if "debug" in self.scenario.producer else 3,
        }

    def _on_client_error(self, error: KafkaError) -> None:
        if error.code() == KafkaError._ALL_BROKERS_DOWN and self.all_brokers_down_since is None:
            self.all_brokers_down_since = time.monotonic()

    def _new_producer(self, bootstrap: str) -> Producer:
        return Producer(self._producer_config(bootstrap))

    def _delivered(self, msg: int, error: KafkaError | None, message) -> None:
        self.outstanding -= 1
        offset = message.offset()
        self.emit(
            DELIVERY_REPORT,
            msg=msg,
            value=self.values.get(msg),
            partition=message.partition(),
            offset=offset if (error is None and offset is not None and offset >= 0) else None,
            error=error.name() if error else None,
        )

    # ---- steps --------------------------------------------------------------------
    def send(self, step: Step) -> None:
        for value in step.values:
            msg = self._next_msg
            self._next_msg += 1
            self.values[msg] = value
            wire_value = value + PAD * max(0, (step.pad_to or 0) - len(value.encode()))
            kwargs: dict[str, Any] = {
                "value": wire_value.encode(),
                "headers": [(MSG_HEADER, str(msg).encode())],
                "on_delivery": lambda error, message, msg=msg: self._delivered(msg, error, message),
            }
            if step.key is not None:
                kwargs["key"] = step.key.encode()
            if step.partition is not None:
                kwargs["partition"] = step.partition
            try:
                self.producer.produce(self.topic, **kwargs)
            except KafkaException as exc:
                error = exc.args[0]
                self.emit(PRODUCE_REFUSED, msg=msg, value=value, key=step.key, error=error.name(), message=str(error))
                continue
            except BufferError as exc:
                self.emit(PRODUCE_REFUSED, msg=msg, value=value, key=step.key, error="_QUEUE_FULL", message=str(exc))
                continue
            self.outstanding += 1
            partition = step.partition if step.partition is not None else (0 if self.scenario.partitions == 1 else -1)
            self.emit(PRODUCE_CALLED, msg=msg, value=value, key=step.key, partition=partition)
            self._poll(0)

    def _poll(self, timeout: float) -> None:
        try:
            self.producer.poll(timeout)
        except KafkaException as exc:
            self._fatal(exc)

    def _fatal(self, exc: KafkaException) -> None:
        error = exc.args[0]
        if self.fatal_error is None:
            self.fatal_error = f"{error.name()}: {error.str()}"
            self.emit(FATAL_ERROR, error=error.name(), message=error.str())

    def flush(self) -> None:
        limit = time.monotonic() + resolve(self.scenario.producer).message_timeout_ms / 1000 + FLUSH_SLACK_S
        while self.outstanding > 0:
            try:
                self.producer.flush(POLL_S)
            except KafkaException as exc:
                self._fatal(exc)
            self._check_cluster()
            if self.run_error:
                return
            if time.monotonic() > limit:
                self._stop(f"flush() did not finish: {self.outstanding} message(s) without a delivery report")
                return

    def wait(self, step: Step) -> None:
        wait_ms = min(step.wait_ms, max_wait_ms())
        if wait_ms < step.wait_ms:
            self.emit(WAIT, wait_ms=wait_ms, capped_from_ms=step.wait_ms)
        else:
            self.emit(WAIT, wait_ms=wait_ms)
        end = time.monotonic() + wait_ms / 1000
        while time.monotonic() < end and not self.run_error:
            self._poll(min(POLL_S, max(0.0, end - time.monotonic())))
            self._check_cluster()

    def restart_producer(self, bootstrap: str) -> None:
        self.flush()
        old = self.state.producer_id
        self.producer = None  # destroys the old producer (its PID is gone for good)
        self.emit(PRODUCER_RESTART, old_producer_id=NO_PRODUCER_ID if old is None else old)
        self.producer = self._new_producer(bootstrap)

    def broker(self, step: Step) -> None:
        local = self.handle.local if self.handle else None
        if local is None:
            self._stop("broker actions need the local back end")
            return
        if step.broker == "start":
            targets = [step.broker_id] if step.broker_id else [i for i, n in local.nodes.items() if not n.alive]
        elif step.broker_id:
            targets = [step.broker_id]
        else:
            leader = clusters.leader_of(self.handle, self.topic, 0)
            targets = [leader or min(local.nodes)]
        for node_id in targets:
            self.emit(BROKER_ACTION, action=step.broker, broker_id=node_id)
            with self._lock:
                # Until the action's own report says otherwise, a later read knows only
                # that the broker kept its last batch from before the action.
                for partition in range(self.scenario.partitions):
                    self._after_action[partition] = (len(self.events), None)
            if step.broker == "stop":
                self.expected_down.add(node_id)
                local.stop(node_id)
            elif step.broker == "kill":
                self.expected_down.add(node_id)
                local.kill(node_id)
            elif step.broker == "start":
                local.start_node(node_id)
                self.expected_down.discard(node_id)
                self.all_brokers_down_since = None
            elif len(local.nodes) < 2:
                self.emit(RUN_ERROR, message="leader_change needs a cluster of 3 brokers; skipped")
                continue
            else:
                # A controlled shutdown hands leadership to another in-sync replica; the
                # old leader then rejoins as a follower.
                self.expected_down.add(node_id)
                local.stop(node_id)
                local.start_node(node_id)
                self.expected_down.discard(node_id)
            self._report_producer_state(f"broker {node_id}: {step.broker}")
            with self._lock:
                self._read_generation += 1

    def _report_producer_state(self, reason: str) -> None:
        """PRODUCER_STATE for each partition, as its leader answers DescribeProducers: what
        the broker demonstrably remembers after the action (its last batch per producer;
        the answer names the last sequence, and the batch is the one this run saw
        appended with it).  Nothing is said of a partition without a live leader."""
        for partition in range(self.scenario.partitions):
            node = self._live_leader(partition)
            if node is None:
                continue
            active = describe_producers(("127.0.0.1", node.port), self.topic, partition)
            if active is None:
                continue
            producers = [
                {
                    "producer_id": producer.producer_id,
                    "producer_epoch": producer.producer_epoch,
                    "remembered": batches_seen(self.state, partition, producer)[-1:],
                }
                for producer in active
            ]
            with self._lock:
                self._after_action[partition] = (
                    len(self.events),
                    {p["producer_id"]: (p["producer_epoch"], p["remembered"]) for p in producers},
                )
            self.emit(
                PRODUCER_STATE,
                partition=partition,
                producers=producers,
                reason=reason,
                source="DescribeProducers",
            )

    def _live_leader(self, partition: int, timeout_s: float = 15.0):
        """The partition's leader once the metadata names a live one (just after a start it
        may name none yet); None at once when no broker is alive, or after `timeout_s`."""
        local = self.handle.local
        deadline = time.monotonic() + timeout_s
        while any(node.alive for node in local.nodes.values()):
            leader = clusters.leader_of(self.handle, self.topic, partition)
            node = local.nodes.get(leader) if leader is not None else None
            if node is not None and node.alive:
                return node
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)
        return None

    def _read_producer_state(self, partition: int, broker: int, reason: str) -> None:
        """On the reader's thread: PRODUCER_STATE for one partition as the broker that
        decided (its leader then) answers DescribeProducers; nothing when it does not answer.
        Each producer's batches are those this run saw appended since the last broker action
        (after the batches that action's report named, or after the last batch before the
        action when it has no report), up to the broker's last sequence."""
        address = self.upstreams.get(broker)
        if address is None:
            return
        with self._lock:
            generation = self._read_generation
            since, known = self._after_action.get(partition, (0, {}))
        active = describe_producers(address, self.topic, partition, timeout_s=READ_TIMEOUT_S)
        if active is None:
            return
        state = self.state
        producers = [
            {
                "producer_id": producer.producer_id,
                "producer_epoch": producer.producer_epoch,
                "remembered": remembered_since_action(state, partition, producer, since, known),
            }
            for producer in active
        ]
        detail = {"partition": partition, "producers": producers, "reason": reason, "source": "DescribeProducers"}
        self.record(event(self.clock(), PRODUCER_STATE, **detail), generation=generation)

    def _start_reads(self) -> None:
        """The notebook read after each decision, for runs small enough (the reader's bound)."""
        messages = sum(len(step.values) for step in self.scenario.steps if step.kind == "send")
        if messages <= READ_AFTER_EACH_DECISION_UP_TO:
            self._reader = ProducerStateReader(self._read_producer_state)

    def _finish_reads(self) -> None:
        """The reads still to do are done (or abandoned after the reader's time-out); none
        reaches the trace afterwards."""
        if self._reader is not None:
            self._reader.close()
        with self._lock:
            self._reads_closed = True

    def _check_cluster(self) -> None:
        local = self.handle.local if self.handle else None
        if local is not None:
            for node_id, status in local.nodes.items():
                if not status.alive and node_id not in self.expected_down:
                    self._stop(
                        f"broker {node_id} stopped unexpectedly (see {status.log_path}); "
                        "the trace shows the run up to that point"
                    )
                    return
        elif (
            self.all_brokers_down_since is not None
            and time.monotonic() - self.all_brokers_down_since > BROKERS_DOWN_GRACE_S
        ):
            self._stop(
                f"every broker of {self.backend} has been unreachable for {BROKERS_DOWN_GRACE_S:.0f} s; "
                "the trace shows the run up to that point"
            )

    def _brokers_back_for_read_back(self) -> bool:
        """Whether the stored log can be read.  A local broker that died unexpectedly (or
        that the scenario left down) is started again on its own storage first: the log it
        wrote is still there.  When that fails the stored log is unknown, and the trace
        says so rather than calling acknowledged messages lost."""
        local = self.handle.local if self.handle else None
        if local is None:
            return True
        dead = [node_id for node_id, status in local.nodes.items() if not status.alive]
        if not dead:
            return True
        unexpected = [node_id for node_id in dead if node_id not in self.expected_down]
        if not unexpected and any(n.alive for n in local.nodes.values()):
            return True  # the scenario stopped some; the others hold the log
        try:
            for node_id in dead:
                local.start_node(node_id, timeout=RESTART_FOR_READ_BACK_S)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the log unknown, said in words
            self._note_unknown(f"broker(s) {', '.join(map(str, dead))} could not be started again to read it ({exc})")
            return False
        return True

    def _note_unknown(self, why: str) -> None:
        message = (
            f"the stored log is unknown: {why}. Acknowledged messages are not counted as lost; "
            "what the broker kept was never read back"
        )
        if self.run_error is None:
            self.run_error = message
        else:
            self.run_error += f"; {message}"
        self.emit(RUN_ERROR, message=message)

    def _stop(self, message: str) -> None:
        if self.run_error is None:
            self.run_error = message
            self.emit(RUN_ERROR, message=message)

    # ---- read back ----------------------------------------------------------------
    def read_back(self, bootstrap: str, fetched: dict[tuple[int, int], StoredRecord]) -> None:
        consumer = Consumer(
            {
                **self.client_config,
                "bootstrap.servers": bootstrap,
                "group.id": f"{self.topic}-reader",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 50,
                "logger": CLIENT_LOG,
                "log_level": 0,
                "socket.timeout.ms": 5000,
            }
        )
        try:
            ends = {}
            for p in range(self.scenario.partitions):
                _, high = consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=5)
                ends[p] = high
            consumer.assign([TopicPartition(self.topic, p, 0) for p in ends if ends[p] > 0])
            deadline = time.monotonic() + READ_BACK_TIMEOUT_S
            while time.monotonic() < deadline:
                got = {p: sum(1 for (q, _) in fetched if q == p) for p in ends}
                if all(got[p] >= ends[p] for p in ends):
                    return
                consumer.poll(0.1)
            self._stop(
                "could not read the whole stored log back within "
                f"{READ_BACK_TIMEOUT_S:.0f} s; the log shown may be incomplete"
            )
        except KafkaException as exc:
            self.stored_known = False
            self._note_unknown(f"it could not be read back ({exc.args[0].str()})")
        finally:
            consumer.close()

    # ---- the whole run --------------------------------------------------------------
    def effective_config(self) -> dict[str, Any]:
        """The client's effective settings; ConfigError with the client's own message."""
        return resolve(self.scenario.producer).as_config()

    def run(self) -> Trace:
        try:
            config = self.effective_config()
        except ConfigError as exc:
            return Trace(self.scenario.name, self.backend, dict(self.scenario.producer), run_error=str(exc))
        fetched: dict[tuple[int, int], StoredRecord] = {}

        def on_fetched(records: list[StoredRecord]) -> None:
            for record in records:
                if record.msg in self.values:
                    record = record._replace(value=self.values[record.msg])
                fetched[(record.partition, record.offset)] = record

        self.handle = clusters.acquire(self.scenario, self.backend, self.client_config)
        proxy = self.proxy = None
        try:
            clusters.create_topic(self.handle, self.scenario, self.topic)
            self.upstreams = self.handle.upstreams()
            self._start_reads()
            proxy = self.proxy = ProxyThread(
                self.upstreams,
                self.scenario.faults,
                on_event=self.record,
                clock=self.clock,
                on_fetched=on_fetched,
            )
            bootstrap = proxy.start()
            self.producer = self._new_producer(bootstrap)
            for step in self.scenario.steps:
                if self.run_error:
                    break
                if step.kind == "send":
                    self.send(step)
                elif step.kind == "flush":
                    self.emit(FLUSH)
                    self.flush()
                elif step.kind == "wait":
                    self.wait(step)
                elif step.kind == "restart_producer":
                    self.restart_producer(bootstrap)
                else:
                    self.broker(step)
            if not self.run_error:
                self.emit(FLUSH, final=True)
                self.flush()
            if self.producer is not None and self.run_error:
                self.producer.purge()
                self.producer.flush(0)
            self.producer = None
            self._finish_reads()
            if self._brokers_back_for_read_back():
                self.read_back(bootstrap, fetched)
            else:
                self.stored_known = False
        finally:
            self._finish_reads()
            if proxy is not None:
                proxy.stop()
            if not self.handle.dedicated:
                clusters.delete_topic(self.handle, self.topic)
            self.handle.close()
        stored = [fetched[key] for key in sorted(fetched)]
        return Trace(
            self.scenario.name,
            self.backend,
            config,
            events=list(self.events),
            stored=stored,
            fatal_error=self.fatal_error,
            run_error=self.run_error,
            stored_known=self.stored_known,
        )


def _decision_words(decision: Event) -> str:
    """A PRODUCER_STATE reason: 'its decision on m2' (the words read 'after ...')."""
    values = [str(v) for v in decision.get("values") or ()]
    if not values:  # a bulk run's trace carries no values
        return f"its decision on seq {span(decision.get('base_sequence'), decision.get('last_sequence'))}"
    what = values[0] if len(values) == 1 else f"{values[0]} … {values[-1]}"
    return f"its decision on {what}"


def run_on_kafka(
    scenario: Scenario,
    backend: str,
    *,
    on_event: Callable[[Event], None] | None = None,
    client_config: Mapping[str, Any] | None = None,
) -> Trace:

    try:
        return RealRun(scenario, backend, on_event, client_config).run()
    except clusters.ClusterUnavailable as exc:
        raise BackendUnavailable(str(exc)) from None


def backend_status(backend: str) -> tuple[str, str]:
    from idemlab.kafka.jars import KafkaSetupError, find_java

    if backend == "local":
        cluster = clusters.SHARED.peek()
        if cluster is not None and all(n.alive for n in cluster.nodes.values()):
            return "ready", f"Local Apache Kafka {cluster.kafka_version}: ready at {cluster.bootstrap}."
        try:
            find_java()
        except KafkaSetupError as exc:
            return "unavailable", str(exc)
        return "starting", "Local Apache Kafka: starts on the first run (about 10-20 s)."
    handle = clusters.ClusterHandle(backend[len("kafka://") :])
    try:
        brokers = handle.upstreams()
    except clusters.ClusterUnavailable as exc:
        return "unavailable", str(exc)
    return "ready", f"Existing cluster {handle.bootstrap}: {len(brokers)} broker(s) reachable."


__all__ = ["backend_status", "run_on_kafka"]
