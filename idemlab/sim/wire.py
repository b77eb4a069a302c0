"""The simulated network between producer and brokers, with the scenario's faults.

Faults mean exactly what the real-broker proxy does (idemlab/kafka/proxy.py):
- drop_response: the broker processes the request; its answer is lost and the
  connection closes;
- drop_request: the request never arrives; the connection closes;
- error: the request is answered with the named error (after delay_ms, if given);
  nothing reaches the broker;
- delay: the broker processes it; the answer arrives delay_ms later (answers on one
  connection stay in order, so later ones wait behind it);
- disconnect: the broker processes it and the answer arrives; then the connection
  closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from idemlab import errors
from idemlab.fault_plan import FaultPlan
from idemlab.model import (
    APPENDED,
    BROKER_DECISION,
    CONNECTION_CLOSED,
    DELAY,
    DISCONNECT,
    DROP_REQUEST,
    DROP_RESPONSE,
    DUPLICATE,
    ERROR,
    FAULT_INJECTED,
    INIT_PRODUCER_ID,
    PRODUCE,
    REJECTED,
    REQUEST_SENT,
    RESPONSE_RECEIVED,
    Fault,
)
from idemlab.sim.partition import Batch

if TYPE_CHECKING:
    from idemlab.sim.producer import Message, PartitionQueue, SimProducer
    from idemlab.sim.simulation import Simulation

ONE_WAY_MS = 1.0


@dataclass(eq=False)
class InFlight:
    api: str
    request_no: int
    broker_id: int
    connection: Connection
    generation: int
    partition: int = -1
    messages: list[Message] = field(default_factory=list)
    producer_id: int = -1
    producer_epoch: int = -1
    base_sequence: int = -1


@dataclass(eq=False)
class Connection:
    producer: SimProducer
    broker_id: int
    state: str = "down"  # down | connecting | up
    generation: int = 0
    in_flight: list[InFlight] = field(default_factory=list)
    last_delivery_ms: float = 0.0
    failures: int = 0
    next_attempt_ms: float = 0.0


class Wire:
    def __init__(self, sim: Simulation, faults: tuple[Fault, ...]) -> None:
        self.sim = sim
        self.plan = FaultPlan(faults)
        self.connections: dict[tuple[int, int], Connection] = {}
        self.pid_pending: set[int] = set()

    # ---- connections --------------------------------------------------------------
    def connection(self, producer: SimProducer, broker_id: int) -> Connection | None:
        conn = self.connections.get((id(producer), broker_id))
        if conn is None:
            conn = self.connections[(id(producer), broker_id)] = Connection(producer, broker_id)
        if conn.state == "up":
            return conn
        if conn.state == "down":
            if self.sim.now >= conn.next_attempt_ms:
                conn.state = "connecting"
                self.sim.scheduler.after(ONE_WAY_MS * 2, self._connected, conn)
            else:
                self.sim.scheduler.at(conn.next_attempt_ms, producer.wake)
        return None

    def _connected(self, conn: Connection) -> None:
        if conn.state != "connecting":
            return
        settings = conn.producer.settings
        if self.sim.cluster.brokers[conn.broker_id].up:
            conn.state, conn.failures = "up", 0
        else:
            conn.state = "down"
            conn.failures += 1
            backoff = settings.reconnect_backoff_ms * 2 ** (conn.failures - 1)
            conn.next_attempt_ms = self.sim.now + min(backoff, settings.reconnect_backoff_max_ms)
        conn.producer.wake()
        if id(conn.producer) in self.pid_pending and conn.state == "up":
            self.pid_pending.discard(id(conn.producer))
            self.request_producer_id(conn.producer)
        elif id(conn.producer) in self.pid_pending:
            self.sim.scheduler.at(conn.next_attempt_ms, self._retry_pid, conn.producer)

    def _retry_pid(self, producer: SimProducer) -> None:
        if id(producer) in self.pid_pending:
            self.pid_pending.discard(id(producer))
            self.request_producer_id(producer)

    def close(self, conn: Connection, reason: str, error: str = errors.TRANSPORT) -> None:
        if conn.state == "down":
            return
        conn.state = "down"
        conn.generation += 1
        conn.last_delivery_ms = self.sim.now
        conn.next_attempt_ms = self.sim.now + conn.producer.settings.reconnect_backoff_ms
        failed, conn.in_flight = conn.in_flight, []
        self.sim.emit(CONNECTION_CLOSED, broker=conn.broker_id, reason=reason)
        for request in failed:
            self._fail(request, error)
            error = errors.TRANSPORT

    def _fail(self, request: InFlight, error: str) -> None:
        producer = request.connection.producer
        if request.api == INIT_PRODUCER_ID:
            producer.on_producer_id_failed(error, retriable=True)
        else:
            producer.on_produce_response(request, error, -1)
            _release(request)

    def broker_down(self, broker_id: int, reason: str) -> None:
        for (_, b), conn in list(self.connections.items()):
            if b == broker_id:
                self.close(conn, reason)

    def close_producer(self, producer: SimProducer) -> None:
        for (pid, _), conn in list(self.connections.items()):
            if pid == id(producer):
                conn.in_flight.clear()
                conn.state = "down"
                conn.generation += 1
        self.pid_pending.discard(id(producer))

    def forget(self, request: InFlight) -> None:
        if request in request.connection.in_flight:
            request.connection.in_flight.remove(request)

    # ---- InitProducerId -----------------------------------------------------------
    def request_producer_id(self, producer: SimProducer) -> None:
        if producer.state != producer.WAIT_PID:
            return
        up = [b for b, broker in sorted(self.sim.cluster.brokers.items()) if broker.up]
        target = up[0] if up else 1
        conn = self.connection(producer, target)
        if conn is None:
            self.pid_pending.add(id(producer))
            return
        request_no, fault = self.plan.decide(INIT_PRODUCER_ID)
        request = InFlight(INIT_PRODUCER_ID, request_no, target, conn, conn.generation)
        conn.in_flight.append(request)
        self.sim.emit(REQUEST_SENT, api=INIT_PRODUCER_ID, request_no=request_no, broker=target, attempt=1)
        self._dispatch(request, fault, self._broker_init_producer_id)

    def _broker_init_producer_id(self, request: InFlight) -> tuple[dict, str | None]:
        error, producer_id = self.sim.cluster.init_producer_id(request.broker_id)
        epoch = -1 if error else 0
        return {"producer_id": producer_id, "producer_epoch": epoch}, error

    # ---- Produce ------------------------------------------------------------------
    def send_produce(
        self,
        producer: SimProducer,
        broker_id: int,
        tp: PartitionQueue,
        messages: list[Message],
        batch: Batch,
        timeout_ms: float,
        attempt: int,
    ) -> InFlight:
        conn = self.connection(producer, broker_id)
        assert conn is not None, "the producer only sends on an open connection"
        request_no, fault = self.plan.decide(PRODUCE)
        request = InFlight(
            PRODUCE,
            request_no,
            broker_id,
            conn,
            conn.generation,
            tp.partition,
            messages,
            batch.producer_id,
            batch.producer_epoch,
            batch.base_sequence,
        )
        request.batch = batch  # type: ignore[attr-defined]
        conn.in_flight.append(request)
        self.sim.emit(
            REQUEST_SENT,
            api=PRODUCE,
            request_no=request_no,
            attempt=attempt,
            broker=broker_id,
            partition=tp.partition,
            producer_id=batch.producer_id,
            producer_epoch=batch.producer_epoch,
            base_sequence=batch.base_sequence,
            last_sequence=batch.last_sequence,
            record_count=len(messages),
            **self._contents(batch),
        )
        self.sim.scheduler.after(timeout_ms, self._timeout, request)
        self._dispatch(request, fault, self._broker_produce)
        return request

    def _contents(self, batch: Batch) -> dict:
        """Which messages a request carries; left out, like the per-message events, when
        a bulk run records no per-message detail."""
        if not self.sim.record_messages:
            return {}
        return {"msgs": [r.msg for r in batch.records], "values": [r.value for r in batch.records]}

    def _broker_produce(self, request: InFlight) -> tuple[dict, str | None]:
        batch: Batch = request.batch  # type: ignore[attr-defined]
        result = self.sim.cluster.produce(request.broker_id, batch, self.sim.scheduler.after)
        outcome = REJECTED if result.error else (DUPLICATE if result.duplicate else APPENDED)
        self.sim.emit(
            BROKER_DECISION,
            request_no=request.request_no,
            broker=request.broker_id,
            partition=request.partition,
            result=outcome,
            base_offset=result.base_offset if not result.error else -1,
            error=result.error,
            producer_id=batch.producer_id,
            producer_epoch=batch.producer_epoch,
            base_sequence=batch.base_sequence,
            last_sequence=batch.last_sequence,
            **self._contents(batch),
            **self._remembered(request.partition, batch.producer_id, result.error),
        )
        return {"partition": request.partition, "base_offset": result.base_offset}, result.error

    def _remembered(self, partition: int, producer_id: int, error: str | None) -> dict:
        if error or producer_id < 0:
            return {}
        entry = self.sim.cluster.producer_state(partition).get(producer_id)
        return {"remembered": entry.remembered() if entry else []}

    def _timeout(self, request: InFlight) -> None:
        conn = request.connection
        if request in conn.in_flight and request.generation == conn.generation:
            conn.in_flight.remove(request)
            self._fail(request, errors.TIMED_OUT)
            self.close(conn, "request timed out", errors.TIMED_OUT)

    # ---- the fault-aware path -----------------------------------------------------
    def _dispatch(self, request: InFlight, fault: Fault | None, process) -> None:
        # The trace tells a fault when it happens: a request lost or refused on the way
        # now; a lost, held-up or cut-off answer once the broker has decided (_arrive).
        if fault is not None and fault.action in (DROP_REQUEST, ERROR):
            self._emit_fault(request, fault)
        action = fault.action if fault else None
        if action == DROP_REQUEST:
            self.sim.scheduler.after(ONE_WAY_MS, self._close_if_current, request, "request lost (fault)")
            return
        if action == ERROR:
            error = errors.by_name(fault.error).name
            body = (
                {"partition": request.partition, "base_offset": -1}
                if request.api == PRODUCE
                else {"producer_id": -1, "producer_epoch": -1}
            )
            # Answered where the request arrives, so it queues behind the answers to
            # earlier requests on the connection (Kafka answers in order; so does the proxy).
            extra = fault.delay_ms or 0
            self.sim.scheduler.after(
                ONE_WAY_MS, lambda: self._deliver(request, body, error, self.sim.now + ONE_WAY_MS + extra)
            )
            return
        self.sim.scheduler.after(ONE_WAY_MS, self._arrive, request, action, fault, process)

    def _arrive(self, request: InFlight, action: str | None, fault: Fault | None, process) -> None:
        conn = request.connection
        if request.generation != conn.generation or not self.sim.cluster.brokers[request.broker_id].up:
            return
        body, error = process(request)
        if fault is not None:
            self._emit_fault(request, fault)
        at = self.sim.now + ONE_WAY_MS
        if request.api == PRODUCE and error is None and request.connection.producer.settings.acks == -1:
            at += self.sim.cluster.replication_delay_ms  # acks=all: answered once followers have it
        if action == DROP_RESPONSE:
            self.sim.scheduler.at(
                max(at, conn.last_delivery_ms), self._close_if_current, request, "response lost (fault)"
            )
            return
        if action == DELAY:
            at += fault.delay_ms
        self._deliver(request, body, error, at, then_close=(action == DISCONNECT))

    def _emit_fault(self, request: InFlight, fault: Fault) -> None:
        self.sim.emit(
            FAULT_INJECTED,
            api=request.api,
            request_no=request.request_no,
            action=fault.action,
            error=fault.error,
            delay_ms=fault.delay_ms,
        )

    def _close_if_current(self, request: InFlight, reason: str) -> None:
        if request.generation == request.connection.generation:
            self.close(request.connection, reason)

    def _deliver(self, request: InFlight, body: dict, error: str | None, at: float, then_close: bool = False) -> None:
        conn = request.connection
        at = max(at, conn.last_delivery_ms)
        conn.last_delivery_ms = at
        self.sim.scheduler.at(at, self._receive, request, body, error, then_close)

    def _receive(self, request: InFlight, body: dict, error: str | None, then_close: bool) -> None:
        conn = request.connection
        if request.generation != conn.generation or request not in conn.in_flight:
            return
        conn.in_flight.remove(request)
        self.sim.emit(RESPONSE_RECEIVED, api=request.api, request_no=request.request_no, error=error, **body)
        producer = conn.producer
        self._answer(request, producer, body, error)
        if then_close:
            self.close(conn, "connection closed after the answer (fault)")

    def _answer(self, request: InFlight, producer: SimProducer, body: dict, error: str | None) -> None:
        if request.api == INIT_PRODUCER_ID:
            if error is None:
                producer.on_producer_id(body["producer_id"], body["producer_epoch"])
            else:
                info = errors.ERRORS_BY_NAME.get(error)
                producer.on_producer_id_failed(error, retriable=bool(info and info.retriable))
        else:
            producer.on_produce_response(request, error, body.get("base_offset", -1))
            _release(request)


def _release(request: InFlight) -> None:
    """An answered request's timeout timer stays in the scheduler until it fires; let it
    hold no messages meanwhile (a million-message run would keep them all)."""
    request.messages = []
    request.batch = None  # type: ignore[attr-defined]
