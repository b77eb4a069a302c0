"""A simulated confluent-kafka producer, following librdkafka rather than a textbook.

The rules and where they come from (reference §3.1 and §12):
- sequences per partition: seq = (msgid - epoch_base_msgid) & INT32_MAX (L4);
- idempotent: no new request while 5 messages of a partition are in flight (L6);
- retriable error: re-queue with the same batch boundaries and sequences, and let the
  partition drain before retrying (L5, L9);
- OUT_OF_ORDER_SEQUENCE_NUMBER: not head-of-line -> drain and bump the epoch locally;
  head-of-line or rewound -> fatal (L9, L11, L12);
- permanent errors and message timeouts -> drain and bump, or fatal with
  enable.gapless.guarantee (L9, L10, L15);
- a success that skips messages awaiting retry acks them implicitly (L8);
- one request is built ahead of the in-flight limit, and a retry cannot overtake it,
  so without idempotence even max.in.flight = 1 reorders (docs/librdkafka-findings.md);
- a topic-level permanent error (TOPIC_AUTHORIZATION_FAILED) fails every message of
  the topic not yet sent; retries of requests that were in flight end as _DESTROY
  (docs/librdkafka-findings.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from idemlab import errors
from idemlab.model import (
    DELIVERY_REPORT,
    EPOCH_BUMP,
    FATAL_ERROR,
    INIT_PRODUCER_ID,
    NO_PRODUCER_ID,
    PRODUCE,
    PRODUCE_CALLED,
    PRODUCE_REFUSED,
    PRODUCER_ID_ASSIGNED,
    DeliveryReport,
    Event,
    ProduceCalled,
)
from idemlab.producer_config import ProducerSettings
from idemlab.sim.partition import Batch
from idemlab.sim.producer_state import SEQ_MAX

if TYPE_CHECKING:
    from idemlab.sim.simulation import Simulation
    from idemlab.sim.wire import InFlight

PID_RETRY_MS = 500
# librdkafka counts the idempotent in-flight limit in messages, not requests (L6).
IDEMPOTENT_MAX_IN_FLIGHT_MESSAGES = 5
FLUSH = "flush"
# Errors that librdkafka treats as the whole topic's (rd_kafka_handle_Produce_error in
# rdkafka_request.c calls rd_kafka_topic_set_error for them).
TOPIC_LEVEL_ERRORS = frozenset({"TOPIC_AUTHORIZATION_FAILED"})
DESTROY = "_DESTROY"
DUPLICATE_SEQUENCE_NUMBER = "DUPLICATE_SEQUENCE_NUMBER"
UNKNOWN_PRODUCER_ID = "UNKNOWN_PRODUCER_ID"


@dataclass(slots=True)
class Message:
    msgid: int
    msg: int  # produce() call number, for the trace
    value: str
    key: str | None
    partition: int
    size: int
    enqueued_ms: float
    retries: int = 0
    retry_at: float = 0.0
    batch_last_msgid: int | None = None  # fixed batch boundary of a retried batch
    possibly_persisted: bool = False


@dataclass
class PartitionQueue:
    partition: int
    next_msgid: int = 1
    epoch_base_msgid: int = 1
    acked_msgid: int = 0
    queue: list[Message] = field(default_factory=list)
    in_flight: list[InFlight] = field(default_factory=list)
    wait_drain: bool = False
    fresh: int = 0  # queued messages never sent yet
    timeout_timer_at: float | None = None

    @property
    def in_flight_messages(self) -> int:
        return sum(len(r.messages) for r in self.in_flight)

    def sequence_of(self, msgid: int) -> int:
        return (msgid - self.epoch_base_msgid) & SEQ_MAX

    def requeue(self, messages: list[Message]) -> None:
        if not self.queue or messages[-1].msgid < self.queue[0].msgid:
            self.queue[:0] = messages  # the usual case: retries are the oldest
        else:
            self.queue = sorted(self.queue + messages, key=lambda m: m.msgid)


class SimProducer:
    ASSIGNED, WAIT_PID, DRAIN_BUMP, FATAL, CLOSED = "assigned", "wait_pid", "drain_bump", "fatal", "closed"

    def __init__(self, sim: Simulation, settings: ProducerSettings, partitions: int, topic: str) -> None:
        self.sim = sim
        self.settings = settings
        self.topic = topic
        self.partitions = [PartitionQueue(p) for p in range(partitions)]
        self.producer_id = NO_PRODUCER_ID
        self.epoch = -1
        self.state = self.WAIT_PID if settings.idempotent else self.ASSIGNED
        self.fatal_error: str | None = None
        self.outstanding = 0
        self.flushing = False
        self._serve_scheduled = False
        self._round_robin = 0
        # broker id -> (partition queue, messages, connection generation): the request
        # librdkafka builds while the connection is at its in-flight limit.
        self._prebuilt: dict[int, tuple[PartitionQueue, list[Message], int]] = {}
        self._orphaned: set[int] = set()  # ids of requests in flight when the topic failed
        if settings.idempotent:
            self.sim.wire.request_producer_id(self)

    # ---- application API ----------------------------------------------------------
    def produce(
        self, first_msg: int, values: tuple[str, ...], key: str | None, partition: int | None, pad_to: int | None
    ) -> None:
        """One produce() call per value, numbered from first_msg (the loop is here, not
        in the caller, because it is the simulator's hottest path)."""
        now = self.sim.now
        record = self.sim.record_messages
        events = self.sim.events
        for msg, value in enumerate(values, first_msg):
            target = self._partition_for(key) if partition is None else partition
            if self.state == self.FATAL:
                self.sim.emit(
                    PRODUCE_REFUSED,
                    msg=msg,
                    value=value,
                    key=key,
                    partition=target,
                    error=errors.FATAL,
                    message=f'KafkaError{{code=_FATAL,val=-150,str="{self.fatal_error}"}}',
                )
                continue
            tp = self.partitions[target]
            size = max(pad_to or 0, len(value.encode()))
            tp.queue.append(Message(tp.next_msgid, msg, value, key, target, size, now))
            tp.next_msgid += 1
            tp.fresh += 1
            self.outstanding += 1
            if record:
                events.append(Event(now, PRODUCE_CALLED, ProduceCalled(msg, value, key, target)))
            else:
                self.sim.tally(PRODUCE_CALLED)
            if tp.timeout_timer_at is None:
                self._arm_timeout(tp)
        self.wake()

    def _partition_for(self, key: str | None) -> int:
        if len(self.partitions) == 1:
            return 0
        if key is not None:
            return sum(key.encode()) % len(self.partitions)
        self._round_robin = (self._round_robin + 1) % len(self.partitions)
        return self._round_robin

    # ---- the sender ---------------------------------------------------------------
    def wake(self) -> None:
        if not self._serve_scheduled:
            self._serve_scheduled = True
            self.sim.scheduler.after(0, self._serve)

    def _serve(self) -> None:
        self._serve_scheduled = False
        if self.state == self.DRAIN_BUMP:
            self._maybe_finish_bump()
        if self.state not in (self.ASSIGNED,):
            return
        if self._prebuilt:
            self._send_prebuilt()
        for tp in self.partitions:
            self._serve_partition(tp)

    def _serve_partition(self, tp: PartitionQueue) -> None:
        if tp.wait_drain:
            if tp.in_flight:
                return
            tp.wait_drain = False
        while tp.queue:
            broker_id = self.sim.cluster.leader_of(tp.partition)
            if broker_id is None:
                return
            connection = self.sim.wire.connection(self, broker_id)
            if connection is None:
                return
            if len(connection.in_flight) >= self.settings.max_in_flight:
                self._prebuild(tp, broker_id, connection)
                return
            if self.settings.idempotent and tp.in_flight_messages >= IDEMPOTENT_MAX_IN_FLIGHT_MESSAGES:
                return
            ready_at = self._ready_at(tp)
            if ready_at > self.sim.now:
                self.sim.scheduler.at(ready_at, self.wake)
                return
            batch_messages = self._take_batch(tp)
            self._send(tp, broker_id, batch_messages)

    def _prebuild(self, tp: PartitionQueue, broker_id: int, connection) -> None:
        """librdkafka builds ProduceRequests ahead into the broker's output queue, up to
        queue.buffering.backpressure.threshold (1) not yet on the wire, whatever
        max.in.flight says (rd_kafka_toppar_producer_serve and
        rd_kafka_broker_outbufs_space in rdkafka_broker.c); rd_kafka_send holds it there
        until a response frees an in-flight slot. Its messages have left the queue, so a
        batch re-queued for retry (rd_kafka_toppar_retry_msgq, rdkafka_partition.c) is
        sent after it. With idempotence the drain before a retry and every PID/epoch
        change purge such requests back to the queue (rd_kafka_broker_bufq_purge_by_toppar
        with ERR__RETRY, see _unbuild), so there it cannot overtake a retry; it counts
        against the 5 in-flight messages (rktp_msgs_inflight)."""
        if broker_id in self._prebuilt:
            return
        if self.settings.idempotent and tp.in_flight_messages >= IDEMPOTENT_MAX_IN_FLIGHT_MESSAGES:
            return
        if self._ready_at(tp) > self.sim.now:
            return
        self._prebuilt[broker_id] = (tp, self._take_batch(tp), connection.generation)

    def _send_prebuilt(self) -> None:
        for broker_id, (tp, messages, generation) in list(self._prebuilt.items()):
            connection = self.sim.wire.connections.get((id(self), broker_id))
            if connection is None or connection.generation != generation or connection.state != "up":
                # rd_kafka_broker_fail: queued requests fail after the in-flight ones
                # and their messages go back to the queue in order.
                del self._prebuilt[broker_id]
                self._requeue(tp, messages, count_retry=False)
            elif len(connection.in_flight) < self.settings.max_in_flight:
                del self._prebuilt[broker_id]
                self._send(tp, broker_id, messages)

    def _unbuild(self, only: PartitionQueue | None = None) -> None:
        """Purge requests built but not sent back to their queue, in msgid order
        (rd_kafka_broker_bufq_purge_by_toppar, rdkafka_broker.c: ERR__RETRY, no retry
        counted)."""
        for broker_id, (tp, messages, _) in list(self._prebuilt.items()):
            if only is not None and tp is not only:
                continue
            del self._prebuilt[broker_id]
            tp.requeue(messages)
            tp.fresh += sum(1 for m in messages if m.retries == 0)
            self._arm_timeout(tp)

    def _ready_at(self, tp: PartitionQueue) -> float:
        head = tp.queue[0]
        if head.retries > 0:
            return head.retry_at
        if self.flushing or tp.fresh >= self.settings.batch_num_messages:
            return self.sim.now
        return head.enqueued_ms + self.settings.linger_ms

    def _take_batch(self, tp: PartitionQueue) -> list[Message]:
        head = tp.queue[0]
        if head.batch_last_msgid is not None:
            end = 0
            while end < len(tp.queue) and tp.queue[end].msgid <= head.batch_last_msgid:
                end += 1
            taken = tp.queue[:end]
        else:
            taken, size = [], 0
            for m in tp.queue:
                if m.batch_last_msgid is not None or len(taken) >= self.settings.batch_num_messages:
                    break
                if taken and size + m.size > self.settings.batch_size:
                    break
                taken.append(m)
                size += m.size
        del tp.queue[: len(taken)]
        tp.fresh -= sum(1 for m in taken if m.retries == 0)
        if self.settings.idempotent:
            for m in taken:
                m.batch_last_msgid = taken[-1].msgid
        return taken

    def _send(self, tp: PartitionQueue, broker_id: int, messages: list[Message]) -> None:
        if self.settings.idempotent:
            pid, epoch, base_seq = self.producer_id, self.epoch, tp.sequence_of(messages[0].msgid)
        else:
            pid, epoch, base_seq = NO_PRODUCER_ID, -1, -1
        batch = Batch(
            tp.partition,
            pid,
            epoch,
            base_seq,
            tuple(messages),  # a Message carries value, key, msg and size like a WireRecord
            max_timestamp=max(m.enqueued_ms for m in messages),
        )
        first_deadline = messages[0].enqueued_ms + self.settings.message_timeout_ms
        timeout_ms = min(self.settings.socket_timeout_ms, max(first_deadline - self.sim.now, 1))
        request = self.sim.wire.send_produce(
            self, broker_id, tp, messages, batch, timeout_ms, attempt=messages[0].retries + 1
        )
        tp.in_flight.append(request)
        if self.settings.acks == 0:
            tp.in_flight.remove(request)
            self.sim.wire.forget(request)
            for m in messages:
                self._report(m, None, None)

    # ---- responses ----------------------------------------------------------------
    def on_produce_response(self, request: InFlight, error: str | None, base_offset: int) -> None:
        tp = self.partitions[request.partition]
        if request in tp.in_flight:
            tp.in_flight.remove(request)
        if self.state == self.CLOSED:
            return
        messages = request.messages
        if error is not None and id(request) in self._orphaned:
            self._orphaned.discard(id(request))
            if self._retriable(error) or error == errors.OUT_OF_ORDER_SEQUENCE_NUMBER:
                # The partition left its broker when the topic failed; its retried
                # messages wait in a removed partition until it is destroyed
                # (rd_kafka_toppar_destroy_final, rdkafka_partition.c: ERR__DESTROY).
                for m in messages:
                    self._report(m, DESTROY, None)
                self.wake()
                return
        if error is None:
            self._orphaned.discard(id(request))
            self._on_success(tp, request, base_offset)
        elif not self.settings.idempotent:
            self._on_error_plain(tp, messages, error)
        else:
            self._on_error_idempotent(tp, request, error)
        self.wake()

    def _on_success(self, tp: PartitionQueue, request: InFlight, base_offset: int) -> None:
        messages = request.messages
        if self.settings.idempotent:
            first = messages[0].msgid
            if tp.acked_msgid < first - 1:
                skipped = [m for m in tp.queue if tp.acked_msgid < m.msgid < first]
                for m in skipped:
                    tp.queue.remove(m)
                    tp.fresh -= m.retries == 0
                    self._report(m, None, None, implicit=True)
            tp.acked_msgid = max(tp.acked_msgid, messages[-1].msgid)
        for i, m in enumerate(messages):
            self._report(m, None, base_offset + i if base_offset >= 0 else None)

    def _on_error_plain(self, tp: PartitionQueue, messages: list[Message], error: str) -> None:
        if self._retriable(error) and messages[0].retries < self.settings.retries:
            self._requeue(tp, messages)
            return
        for m in messages:
            self._report(m, error, None)
        if error in TOPIC_LEVEL_ERRORS:
            self._fail_topic(error)

    def _on_error_idempotent(self, tp: PartitionQueue, request: InFlight, error: str) -> None:
        messages = request.messages
        if (request.producer_id, request.producer_epoch) != (self.producer_id, self.epoch):
            for m in messages:  # PID mismatch: an older epoch's batch, no retry
                self._report(m, error, None)
            return
        if error == DUPLICATE_SEQUENCE_NUMBER:
            # rd_kafka_handle_idempotent_Produce_error (rdkafka_request.c): a duplicate
            # counts as delivered (PERSISTED) without an offset, and the acknowledged
            # sequence moves on, although this broker stored nothing.
            self._on_success(tp, request, -1)
            return
        if error == UNKNOWN_PRODUCER_ID:
            # rd_kafka_handle_idempotent_Produce_error: on a first attempt the batch is
            # retried in a new epoch (drain, local bump); after retries it is fatal.
            if messages[0].retries == 0 and messages[0].msgid == tp.acked_msgid + 1:
                self._requeue(tp, messages, count_retry=False)
                self._drain_and_bump("unknown producer id")
                return
            for m in messages:
                self._report(m, error, None)
            self._set_fatal(error, self._request_text(request, "failed: unable to retry without risking duplication"))
            return
        if error == errors.OUT_OF_ORDER_SEQUENCE_NUMBER:
            gap = messages[0].msgid - (tp.acked_msgid + 1)
            if gap > 0:
                self._requeue(tp, messages, count_retry=False)
                self._drain_and_bump("skipped sequence numbers")
                return
            why = "failed due to sequence desynchronization" if gap == 0 else "failed with rewound sequence number"
            for m in messages:
                self._report(m, error, None)
            self._set_fatal(error, self._request_text(request, why))
            return
        if self._retriable(error) and messages[0].retries < self.settings.retries:
            self._requeue(tp, messages)
            tp.wait_drain = True
            self._unbuild(tp)
            self._expire_due(tp)
            return
        for m in messages:
            self._report(m, error, None)
        if error in TOPIC_LEVEL_ERRORS:
            self._fail_topic(error)
        self._permanent_failure(request, error)

    def _fail_topic(self, error: str) -> None:
        """rd_kafka_handle_Produce_error (rdkafka_request.c) marks the topic failed
        (rd_kafka_topic_set_error, rdkafka_topic.c): its partition count drops to 0, each
        partition leaves its broker (RD_KAFKA_OP_PARTITION_LEAVE in
        rd_kafka_broker_op_serve, rdkafka_broker.c), which purges requests not yet sent
        and fails every queued message with the topic's error. Requests already on the
        wire finish normally; a retry of one of them ends as _DESTROY."""
        for broker_id, (tp, messages, _) in list(self._prebuilt.items()):
            del self._prebuilt[broker_id]
            tp.queue = sorted(tp.queue + messages, key=lambda m: m.msgid)
        for tp in self.partitions:
            failed, tp.queue, tp.fresh = tp.queue, [], 0
            for m in failed:
                self._report(m, error, None)
            self._orphaned.update(id(r) for r in tp.in_flight)

    def _permanent_failure(self, request: InFlight, error: str) -> None:
        if self.settings.gapless:
            text = self._request_text(request, f"failed: {errors.by_name(error).text}", gapless=True)
            self._set_fatal(errors.GAPLESS_GUARANTEE, text)
        else:
            self._drain_and_bump("message sequence gap")

    def _request_text(self, request: InFlight, why: str, gapless: bool = False) -> str:
        n = len(request.messages)
        pid = f"PID{{Id:{request.producer_id},Epoch:{request.producer_epoch}}}"
        if gapless:
            return (
                f"ProduceRequest for {self.topic} [{request.partition}] with {n} message(s) {why} "
                f"(broker {request.broker_id} {pid}, base seq {request.base_sequence}): "
                "unable to satisfy gap-less guarantee"
            )
        return (
            f"ProduceRequest for {self.topic} [{request.partition}] with {n} message(s) {why} "
            f"with broker {request.broker_id} ({pid}, base seq {request.base_sequence})"
        )

    @staticmethod
    def _retriable(error: str) -> bool:
        info = errors.ERRORS_BY_NAME.get(error) or next((e for e in errors.ERRORS.values() if e.name == error), None)
        return bool(info and info.retriable)

    def _requeue(self, tp: PartitionQueue, messages: list[Message], count_retry: bool = True) -> None:
        for m in messages:
            if count_retry:
                m.retries += 1
            m.possibly_persisted = True
            backoff = self.settings.retry_backoff_ms * (2 ** max(m.retries - 1, 0))
            m.retry_at = self.sim.now + min(
                backoff, max(self.settings.retry_backoff_max_ms, self.settings.retry_backoff_ms)
            )
            if not self.settings.idempotent:
                m.batch_last_msgid = None
            m.retries = max(m.retries, 1)
        tp.requeue(messages)
        self._arm_timeout(tp)
        self.sim.scheduler.at(messages[0].retry_at, self.wake)

    # ---- timeouts -----------------------------------------------------------------
    def _arm_timeout(self, tp: PartitionQueue) -> None:
        """One timer per partition, set for the oldest queued message (the queue is in
        msgid order, which is enqueue order)."""
        if not tp.queue:
            return
        due_at = tp.queue[0].enqueued_ms + self.settings.message_timeout_ms
        if tp.timeout_timer_at is None or due_at < tp.timeout_timer_at:
            tp.timeout_timer_at = due_at
            self.sim.scheduler.at(due_at, self._on_timeout_timer, tp, due_at)

    def _on_timeout_timer(self, tp: PartitionQueue, due_at: float) -> None:
        if tp.timeout_timer_at != due_at:
            return
        tp.timeout_timer_at = None
        if self.state != self.CLOSED:
            self._expire_due(tp)
            self._arm_timeout(tp)

    def _expire_due(self, tp: PartitionQueue) -> None:
        limit = self.sim.now - self.settings.message_timeout_ms
        count = 0
        while count < len(tp.queue) and tp.queue[count].enqueued_ms <= limit:
            count += 1
        if not count:
            return
        due = tp.queue[:count]
        del tp.queue[:count]
        tp.fresh -= sum(1 for m in due if m.retries == 0)
        for m in due:
            self._report(m, errors.MSG_TIMED_OUT, None)
        if self.settings.idempotent and self.state != self.FATAL:
            self._drain_and_bump(f"{len(due)} message(s) timed out on {self.topic} [{tp.partition}]")

    # ---- producer id and epoch ----------------------------------------------------
    def on_producer_id(self, producer_id: int, epoch: int) -> None:
        if self.state == self.CLOSED:
            return
        self.producer_id, self.epoch = producer_id, epoch
        for tp in self.partitions:
            self._reset_base(tp)
        self.state = self.ASSIGNED
        self.sim.emit(PRODUCER_ID_ASSIGNED, producer_id=producer_id, producer_epoch=epoch)
        self.wake()

    def on_producer_id_failed(self, error: str, retriable: bool) -> None:
        if self.state == self.CLOSED:
            return
        if retriable:
            self.sim.scheduler.after(PID_RETRY_MS, self.sim.wire.request_producer_id, self)
        else:
            self._set_fatal(error, f"Failed to acquire idempotence PID from broker: {error}")

    def _drain_and_bump(self, reason: str) -> None:
        if self.state in (self.FATAL, self.CLOSED):
            return
        self._unbuild()
        if self.state != self.DRAIN_BUMP:
            self.state = self.DRAIN_BUMP
            self._bump_reason = reason
        self._maybe_finish_bump()

    def _maybe_finish_bump(self) -> None:
        if any(tp.in_flight for tp in self.partitions):
            return
        old = self.epoch
        self.epoch = (self.epoch + 1) & 0x7FFF
        for tp in self.partitions:
            self._reset_base(tp)
            tp.wait_drain = False
            for m in tp.queue:
                m.batch_last_msgid = None
        self.state = self.ASSIGNED
        self.sim.emit(
            EPOCH_BUMP, producer_id=self.producer_id, from_epoch=old, to_epoch=self.epoch, reason=self._bump_reason
        )
        self.wake()

    @staticmethod
    def _reset_base(tp: PartitionQueue) -> None:
        tp.epoch_base_msgid = tp.queue[0].msgid if tp.queue else tp.next_msgid
        tp.acked_msgid = tp.epoch_base_msgid - 1

    def _set_fatal(self, error: str, text: str) -> None:
        if self.state == self.FATAL:
            return
        self.state = self.FATAL
        self.fatal_error = text
        self.sim.emit(FATAL_ERROR, error=error, message=text)
        for tp in self.partitions:
            purged, tp.queue, tp.fresh = tp.queue, [], 0
            for m in purged:
                self._report(m, errors.PURGE_QUEUE, None)
        # A request already built escapes the purge (rd_kafka_set_fatal_error0 purges
        # the queues only); it comes back to its queue, is never sent and ends as
        # _MSG_TIMED_OUT after message.timeout.ms (measured: docs/librdkafka-findings.md).
        self._unbuild()

    # ---- reports ------------------------------------------------------------------
    def _report(self, message: Message, error: str | None, offset: int | None, implicit: bool = False) -> None:
        self.outstanding -= 1
        if not self.sim.record_messages:
            self.sim.tally(DELIVERY_REPORT, error)
            return
        self.sim.emit_detail(
            DeliveryReport(message.msg, message.value, message.partition, offset, error, True if implicit else None)
        )

    def close(self) -> None:
        self.state = self.CLOSED
        self.sim.wire.close_producer(self)

    @property
    def idle(self) -> bool:
        return self.outstanding <= 0


__all__ = ["FLUSH", "INIT_PRODUCER_ID", "PRODUCE", "Message", "PartitionQueue", "SimProducer"]
