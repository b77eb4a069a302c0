"""A protocol-aware TCP proxy in front of each broker, injecting the fault plan.

One listener per broker node.  Metadata-like responses are rewritten so the client
reaches every broker through its listener.  Produce and InitProducerId requests are
counted and traced; faults act on them with exactly the semantics the simulator uses:

    drop_response  forward; swallow the broker's answer; close the client connection
    drop_request   do not forward; close the client connection
    error          do not forward; answer with the named error (after delay_ms, if given) (base offset -1)
    delay          forward; hold the answer delay_ms (later answers queue behind it)
    disconnect     forward; deliver the answer; then close the client connection

Callbacks (on_event, on_fetched) run on the proxy's event-loop thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from idemlab import errors
from idemlab.fault_plan import FaultPlan
from idemlab.kafka import records as batches
from idemlab.kafka import wire
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
    Event,
    Fault,
    StoredRecord,
    event,
    sequence_at,
)

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
CONNECT_TIMEOUT_S = 3.0
WRITE_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 2.0
STREAM_LIMIT = 4 * 1024 * 1024  # read buffer; produce and fetch frames reach ~1 MiB

REQUEST_KIND_BY_API = {wire.PRODUCE_KEY: PRODUCE, wire.INIT_PRODUCER_ID_KEY: INIT_PRODUCER_ID}
REWRITTEN_APIS = {wire.METADATA_KEY, wire.FIND_COORDINATOR_KEY, wire.DESCRIBE_CLUSTER_KEY}

Address = tuple[str, int]


def error_name(code: int) -> str | None:
    return None if code == 0 else errors.name_of(code)


@dataclass(frozen=True)
class PartitionSend:
    """One partition's batch inside a Produce request."""

    topic: str
    partition: int
    producer_id: int
    producer_epoch: int
    base_sequence: int
    last_sequence: int
    record_count: int
    values: list[str | None]
    msgs: list[int | None]


@dataclass
class InFlight:
    """A request whose answer the client is waiting for, in wire order."""

    correlation_id: int
    call: wire.ApiCall
    request_no: int | None = None
    fault: Fault | None = None
    sends: dict[tuple[str, int], PartitionSend] = field(default_factory=dict)
    answer: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


@dataclass
class Answer:
    frame: bytes | None  # None: swallowed
    deliver_at: float = 0.0  # loop time
    close_reason: str | None = None  # close the client connection after delivering
    delivered_events: list[dict] = field(default_factory=list)


class FaultProxy:
    """The asyncio proxy.  `start()` and `close()` must run on its event loop."""

    def __init__(
        self,
        upstreams: dict[int, Address],
        faults: Sequence[Fault],
        on_event: Callable[[Event], None],
        clock: Callable[[], float] | None = None,
        on_fetched: Callable[[list[StoredRecord]], None] | None = None,
    ):
        for fault in faults:
            if fault.action == ERROR and fault.error not in errors.ERRORS_BY_NAME:
                raise ValueError(f"unknown Kafka error {fault.error!r} in fault {fault}")
        self.upstreams = dict(upstreams)
        self.plan = FaultPlan(faults)
        self._on_event = on_event
        self._on_fetched = on_fetched
        started = time.monotonic()
        self._clock = clock or (lambda: (time.monotonic() - started) * 1000.0)
        self.addresses: dict[int, Address] = {}
        self._servers: list[asyncio.base_events.Server] = []
        self._connections: set[Connection] = set()
        self._topic_names: dict[Any, str] = {}
        # (topic, partition, pid, epoch, base_sequence) -> base offset the broker returned:
        # the same offset returned again for the same batch is how a duplicate shows on the
        # wire.  What the broker remembers is its own to say (DescribeProducers, describe.py).
        self._returned_offsets: dict[tuple, int] = {}

    async def start(self) -> None:
        for node_id in self.upstreams:
            server = await asyncio.start_server(
                lambda r, w, node_id=node_id: self._accept(node_id, r, w), HOST, 0, limit=STREAM_LIMIT
            )
            self._servers.append(server)
            self.addresses[node_id] = server.sockets[0].getsockname()[:2]

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for connection in list(self._connections):
            connection.shutdown(None)
        waits = [server.wait_closed() for server in self._servers]
        waits += [connection.finished.wait() for connection in list(self._connections)]
        if waits:
            await asyncio.wait([asyncio.ensure_future(w) for w in waits], timeout=STOP_TIMEOUT_S)

    @property
    def bootstrap(self) -> str:
        return ",".join(f"{host}:{port}" for host, port in self.addresses.values())

    async def _accept(self, node_id: int, reader, writer) -> None:
        connection = Connection(self, node_id, reader, writer)
        self._connections.add(connection)
        try:
            await connection.run()
        except asyncio.CancelledError:
            # Cancelled at shutdown (ProxyThread.stop's leftovers).  This task is the top of its
            # chain, so ending it quietly is safe, and Python 3.11's start_server would otherwise
            # log a cancelled handler as "Exception in callback" on stderr.
            pass
        finally:
            self._connections.discard(connection)

    # ---- events ---------------------------------------------------------------------

    def emit(self, kind: str, **detail: Any) -> None:
        try:
            self._on_event(event(self._clock(), kind, **detail))
        except Exception:
            log.exception("on_event callback failed")

    def fetched(self, stored: list[StoredRecord]) -> None:
        if self._on_fetched is None or not stored:
            return
        try:
            self._on_fetched(stored)
        except Exception:
            log.exception("on_fetched callback failed")

    # ---- requests -------------------------------------------------------------------

    def produce_sends(self, body: Any) -> list[PartitionSend]:
        sends = []
        for topic_data in body.topic_data:
            topic = self._topic_name(topic_data)
            for partition_data in topic_data.partition_data:
                sends.append(_partition_send(topic, partition_data))
        return sends

    def _topic_name(self, entity: Any) -> str:
        name = getattr(entity, "name", None)
        if name is not None:
            return name
        topic_id = getattr(entity, "topic_id", None)
        return self._topic_names.get(topic_id, str(topic_id))

    def trace_request(self, node_id: int, inflight: InFlight, sends: list[PartitionSend]) -> None:
        if inflight.call.api_key == wire.INIT_PRODUCER_ID_KEY:
            self.emit(REQUEST_SENT, api=INIT_PRODUCER_ID, request_no=inflight.request_no, broker=node_id)
        for send in sends:
            self.emit(
                REQUEST_SENT,
                api=PRODUCE,
                request_no=inflight.request_no,
                broker=node_id,
                topic=send.topic,
                partition=send.partition,
                producer_id=send.producer_id,
                producer_epoch=send.producer_epoch,
                base_sequence=send.base_sequence,
                last_sequence=send.last_sequence,
                record_count=send.record_count,
                values=send.values,
                msgs=send.msgs,
                partitions_in_request=len(sends),
            )
        if inflight.fault is not None and inflight.fault.action in (DROP_REQUEST, ERROR):
            self.trace_fault(node_id, inflight)  # lost or refused on the way: now

    def trace_fault(self, node_id: int, inflight: InFlight) -> None:
        """The trace tells a fault when it happens: a request lost or refused on the way
        when it is sent; a lost, held-up or cut-off answer after the broker's decision."""
        fault = inflight.fault
        self.emit(
            FAULT_INJECTED,
            api=fault.request,
            request_no=inflight.request_no,
            broker=node_id,
            action=fault.action,
            error=fault.error,
            delay_ms=fault.delay_ms,
        )

    def injected_error(self, request: wire.Request, inflight: InFlight) -> Answer:
        code = errors.by_name(inflight.fault.error).code
        if inflight.call.api_key == wire.PRODUCE_KEY:
            body = wire.produce_error_response(request, code)
        else:
            body = wire.init_producer_id_error_response(request, code)
        frame = wire.encode_response(inflight.correlation_id, body)
        # error with delay_ms: the refusal arrives late, so later requests are already out.
        deliver_at = asyncio.get_running_loop().time() + (inflight.fault.delay_ms or 0) / 1000
        return Answer(frame, deliver_at=deliver_at, delivered_events=self._answer_details(inflight, body))

    # ---- responses ------------------------------------------------------------------

    def answer(self, node_id: int, inflight: InFlight | None, payload: bytes) -> Answer:
        """What to deliver for a broker answer: trace it, rewrite addresses, apply the
        request's fault."""
        raw = wire.frame(payload)
        if inflight is None:
            return Answer(raw)
        response = wire.decode_response(payload, inflight.call)
        if response is None:
            self._trace_answer_fault(node_id, inflight)
            return self._apply_fault(inflight, Answer(raw))
        api_key, body = inflight.call.api_key, response.body
        if api_key == wire.PRODUCE_KEY:
            self._decide(node_id, inflight, body)
        elif api_key == wire.FETCH_KEY:
            self._read_fetch(body)
        elif api_key == wire.METADATA_KEY:
            self._learn_topic_ids(body)
        self._trace_answer_fault(node_id, inflight)
        rewritten = body
        if api_key in REWRITTEN_APIS or getattr(body, "node_endpoints", ()):
            rewritten = wire.rewrite_endpoints(body, self.addresses)
        frame = raw if rewritten is body else wire.encode_response(inflight.correlation_id, rewritten)
        return self._apply_fault(inflight, Answer(frame, delivered_events=self._answer_details(inflight, body)))

    def _trace_answer_fault(self, node_id: int, inflight: InFlight) -> None:
        if inflight.fault is not None and inflight.fault.action not in (DROP_REQUEST, ERROR):
            self.trace_fault(node_id, inflight)

    def _apply_fault(self, inflight: InFlight, answer: Answer) -> Answer:
        action = inflight.fault.action if inflight.fault else None
        if action == DROP_RESPONSE:
            return Answer(None, close_reason=DROP_RESPONSE)
        if action == DELAY:
            answer.deliver_at = asyncio.get_running_loop().time() + (inflight.fault.delay_ms or 0) / 1000
        elif action == DISCONNECT:
            answer.close_reason = DISCONNECT
        return answer

    def _answer_details(self, inflight: InFlight, body: Any) -> list[dict]:
        """The RESPONSE_RECEIVED details to emit if this answer reaches the client."""
        base = {"request_no": inflight.request_no}
        if inflight.call.api_key == wire.INIT_PRODUCER_ID_KEY:
            return [
                dict(
                    base,
                    api=INIT_PRODUCER_ID,
                    producer_id=int(body.producer_id),
                    producer_epoch=int(body.producer_epoch),
                    error=error_name(body.error_code),
                )
            ]
        if inflight.call.api_key != wire.PRODUCE_KEY:
            return []
        return [
            dict(
                base,
                api=PRODUCE,
                topic=topic,
                partition=int(part.index),
                error=error_name(part.error_code),
                base_offset=int(part.base_offset),
            )
            for topic, part in self._produce_partitions(body)
        ]

    def _produce_partitions(self, body: Any):
        for topic_response in body.responses:
            topic = self._topic_name(topic_response)
            for partition in topic_response.partition_responses:
                yield topic, partition

    def _decide(self, node_id: int, inflight: InFlight, body: Any) -> None:
        for topic, part in self._produce_partitions(body):
            send = inflight.sends.get((topic, int(part.index)))
            if send is None:
                continue
            code, base_offset = int(part.error_code), int(part.base_offset)
            result = REJECTED if code else self._append_or_duplicate(send, base_offset)
            self.emit(
                BROKER_DECISION,
                request_no=inflight.request_no,
                broker=node_id,
                topic=topic,
                partition=send.partition,
                result=result,
                base_offset=base_offset,
                error=error_name(code),
                producer_id=send.producer_id,
                producer_epoch=send.producer_epoch,
                base_sequence=send.base_sequence,
                last_sequence=send.last_sequence,
                msgs=send.msgs,
                values=send.values,
                inferred=True,
            )

    def _append_or_duplicate(self, send: PartitionSend, base_offset: int) -> str:
        key = (send.topic, send.partition, send.producer_id, send.producer_epoch, send.base_sequence)
        if send.producer_id >= 0 and self._returned_offsets.get(key) == base_offset:
            return DUPLICATE
        self._returned_offsets[key] = base_offset
        return APPENDED

    def _read_fetch(self, body: Any) -> None:
        stored: list[StoredRecord] = []
        for topic_response in body.responses:
            for partition in topic_response.partitions:
                decoded = batches.decode_batches(partition.records)
                stored.extend(batches.stored_records(int(partition.partition_index), decoded))
        self.fetched(stored)

    def _learn_topic_ids(self, body: Any) -> None:
        for topic in body.topics:
            topic_id = getattr(topic, "topic_id", None)
            if topic_id is not None and topic.name is not None:
                self._topic_names[topic_id] = topic.name


# A lab run's batches hold a handful of records; bigger ones (load, benchmarks) are
# traced by their header alone, so the proxy does not decode every value on the hot path.
# The stored log read back through Fetch is always decoded in full.
TRACED_RECORDS_PER_BATCH = 500


def _partition_send(topic: str, partition_data: Any) -> PartitionSend:
    decoded = batches.decode_batches(partition_data.records, record_limit=TRACED_RECORDS_PER_BATCH)
    if not decoded:
        return PartitionSend(topic, int(partition_data.index), -1, -1, -1, -1, 0, [], [])
    first = decoded[0]  # a client sends one batch per partition (the broker rejects more)
    records = [record for batch in decoded for record in (batch.records or ())]
    count = sum(batch.record_count for batch in decoded)
    return PartitionSend(
        topic=topic,
        partition=int(partition_data.index),
        producer_id=first.producer_id,
        producer_epoch=first.producer_epoch,
        base_sequence=first.base_sequence,
        last_sequence=sequence_at(first.base_sequence, count - 1),
        record_count=count,
        values=[batches.text(record.value) for record in records],
        msgs=[batches.msg_number(record) for record in records],
    )


class Connection:
    """One client connection and its own upstream connection to the broker."""

    def __init__(self, proxy: FaultProxy, node_id: int, client_reader, client_writer):
        self.proxy = proxy
        self.node_id = node_id
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.upstream_writer = None
        self.inflight: dict[int, InFlight] = {}
        self.delivery_queue: asyncio.Queue[InFlight] = asyncio.Queue()
        self.finished = asyncio.Event()
        self.closed = False
        self._tasks: list[asyncio.Task] = []

    async def run(self) -> None:
        upstream = self.proxy.upstreams[self.node_id]
        try:
            upstream_reader, self.upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(*upstream, limit=STREAM_LIMIT), CONNECT_TIMEOUT_S
            )
        except (TimeoutError, OSError) as exc:
            self.shutdown(f"broker unreachable: {exc.__class__.__name__}")
            self.finished.set()
            return
        if self.closed:  # the proxy stopped while we were connecting
            self.upstream_writer.close()
            self.finished.set()
            return
        self._tasks = [
            asyncio.create_task(self._guard(self._forward_requests, None)),
            asyncio.create_task(
                self._guard(lambda: self._read_answers(upstream_reader), "broker closed the connection")
            ),
            asyncio.create_task(self._guard(self._deliver_answers, None)),
        ]
        try:
            await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.shutdown(None)
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self.finished.set()

    async def _guard(self, work: Callable[[], Any], reason_on_eof: str | None) -> None:
        try:
            await work()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError):
            self.shutdown(reason_on_eof)

    def shutdown(self, reason: str | None) -> None:
        """Close both sides; `reason` set means the proxy chose to close the client."""
        if self.closed:
            return
        self.closed = True
        if reason is not None:
            self.proxy.emit(CONNECTION_CLOSED, broker=self.node_id, reason=reason)
        self.client_writer.close()
        if self.upstream_writer is not None:
            self.upstream_writer.close()
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()

    async def _forward_requests(self) -> None:
        proxy = self.proxy
        while not self.closed:
            payload = await _read_frame(self.client_reader)
            request = wire.decode_request(payload)
            if request is None:
                self.upstream_writer.write(wire.frame(payload))
                continue
            inflight = InFlight(request.header.correlation_id, request.call)
            kind = REQUEST_KIND_BY_API.get(request.call.api_key)
            if kind is not None:
                inflight.request_no, inflight.fault = proxy.plan.decide(kind)
            action = inflight.fault.action if inflight.fault else None
            if action == ERROR and request.body is None:
                action = DROP_REQUEST  # kio cannot build an error answer for this version
            if action not in (DROP_REQUEST, ERROR):
                # Forward before tracing so the decode work overlaps the broker's.
                self.upstream_writer.write(wire.frame(payload))
            sends = []
            if request.call.api_key == wire.PRODUCE_KEY and request.body is not None:
                sends = proxy.produce_sends(request.body)
                inflight.sends = {(send.topic, send.partition): send for send in sends}
            proxy.trace_request(self.node_id, inflight, sends)
            if action == DROP_REQUEST:
                self.shutdown(DROP_REQUEST)
                return
            if not _expects_answer(request):
                continue
            if action == ERROR:
                inflight.answer.set_result(proxy.injected_error(request, inflight))
            else:
                self.inflight[inflight.correlation_id] = inflight
            self.delivery_queue.put_nowait(inflight)
            await asyncio.wait_for(self.upstream_writer.drain(), WRITE_TIMEOUT_S)

    async def _read_answers(self, upstream_reader) -> None:
        while not self.closed:
            payload = await _read_frame(upstream_reader)
            correlation_id = wire.response_correlation_id(payload)
            inflight = self.inflight.pop(correlation_id, None)
            answer = self.proxy.answer(self.node_id, inflight, payload)
            if inflight is None:  # not tracked: pass through in arrival order
                inflight = InFlight(correlation_id, wire.ApiCall(-1, -1))
                self.delivery_queue.put_nowait(inflight)
            inflight.answer.set_result(answer)

    async def _deliver_answers(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.closed:
            inflight = await self.delivery_queue.get()
            answer: Answer = await inflight.answer
            wait = answer.deliver_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if answer.frame is not None:
                # Trace first: once written, the client may act on it before we run again.
                for detail in answer.delivered_events:
                    self.proxy.emit(RESPONSE_RECEIVED, broker=self.node_id, **detail)
                self.client_writer.write(answer.frame)
            if answer.close_reason is not None:
                self.shutdown(answer.close_reason)  # close() still flushes the answer
                return
            await asyncio.wait_for(self.client_writer.drain(), WRITE_TIMEOUT_S)


def _expects_answer(request: wire.Request) -> bool:
    # acks=0 Produce requests get no response at all.
    return not (request.call.api_key == wire.PRODUCE_KEY and request.body is not None and request.body.acks == 0)


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    (length,) = wire.FRAME_LENGTH.unpack(await reader.readexactly(wire.FRAME_LENGTH.size))
    return await reader.readexactly(length)


class ProxyThread:
    """FaultProxy on its own thread and event loop, for synchronous callers."""

    def __init__(
        self,
        upstreams: dict[int, Address],
        faults: Sequence[Fault] = (),
        on_event: Callable[[Event], None] = lambda event: None,
        clock: Callable[[], float] | None = None,
        on_fetched: Callable[[list[StoredRecord]], None] | None = None,
    ):
        self.proxy = FaultProxy(upstreams, faults, on_event, clock, on_fetched)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start listening; returns the bootstrap "127.0.0.1:P1,..." of the listeners."""
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self.proxy.start())
            except BaseException as exc:  # noqa: BLE001 - re-raised in start()'s caller
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())

        self._thread = threading.Thread(target=serve, name="idemlab-fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10) or failure:
            self.stop()
            raise RuntimeError(f"fault proxy did not start: {failure[0] if failure else 'timeout'}")
        return self.bootstrap

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self.proxy.close(), loop).result(STOP_TIMEOUT_S + 1)
            except Exception:
                log.exception("fault proxy did not close cleanly")
            loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT_S)
        if not thread.is_alive():
            # On a thread of its own: the caller's thread may have a loop running (a
            # Playwright sync session in the same process), which forbids running ours.
            cleaner = threading.Thread(target=_cancel_leftovers, args=(loop,), name="idemlab-proxy-cleanup")
            cleaner.start()
            cleaner.join(STOP_TIMEOUT_S)
            loop.close()
        self._loop = self._thread = None

    @property
    def bootstrap(self) -> str:
        return self.proxy.bootstrap

    def thread_cpu_seconds(self) -> float:
        """CPU time the proxy thread has used so far (for benchmarks)."""
        return asyncio.run_coroutine_threadsafe(_thread_time(), self._loop).result(STOP_TIMEOUT_S)

    @property
    def addresses(self) -> dict[int, str]:
        """Listener "host:port" per broker node id."""
        return {node: f"{host}:{port}" for node, (host, port) in self.proxy.addresses.items()}

    def __enter__(self) -> ProxyThread:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


async def _thread_time() -> float:
    return time.thread_time()


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
