"""A simulated Apache Kafka Java producer (kafka-clients 4.x), beside the librdkafka one.

It shares the librdkafka model's plumbing (queues, requests, reports) and follows the
Java client's own rules instead (Sender, RecordAccumulator, TransactionManager; see
docs/java-client-findings.md, where each rule is cited and what the real client showed
is written down):
- defaults: idempotence on, acks=all, 5 requests in flight per connection, linger.ms 5,
  batches bounded by batch.size bytes only, delivery.timeout.ms 120 s;
- idempotent: up to 5 *requests* in flight per connection, whatever they hold;
  sequences are given to a batch when it is first sent and kept on retries;
- a retriable error re-queues the batch in sequence order; a batch that already has a
  sequence is sent again only when it is the first unacknowledged one of its partition,
  so the later ones in flight come back OUT_OF_ORDER_SEQUENCE_NUMBER and are retried
  too (RecordAccumulator.shouldStopDrainBatchesForPartition);
- OUT_OF_ORDER_SEQUENCE_NUMBER and UNKNOWN_PRODUCER_ID are always retried by the
  idempotent producer; the epoch is bumped (locally, no InitProducerId) when the batch
  was the next expected one (TransactionManager.canRetry);
- a batch that fails for good (a non-retriable error, retries used up) asks for an epoch
  bump, which happens at once; its partition's sequences restart at 0 in the new epoch,
  other partitions follow once their requests in flight are answered;
- delivery.timeout.ms counts from the batch's creation, queued or in flight; a batch
  that expires while being retried leaves its partition's sequence unresolved until
  everything in flight is answered, then the epoch is bumped if a gap remains;
- no fatal error for these errors, and no gap-less option; errors are reported as the
  Java client's exception class (RecordTooLargeException, TimeoutException, ...) with its
  message;
- send() waits for the topic's metadata (the first one, and while no broker is reachable,
  up to max.block.ms) and throws after a fatal error (a refused InitProducerId);
- keyless records on several partitions stick to one partition per batch.size bytes;
- a fresh JVM's first Produce request leaves a few ms after its batch is drained, and the
  batches that became ready meanwhile leave right behind it (measured, findings J10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from idemlab import errors, java_config
from idemlab.model import (
    DELIVERY_REPORT,
    EPOCH_BUMP,
    FATAL_ERROR,
    NO_PRODUCER_ID,
    PRODUCE_CALLED,
    DeliveryReport,
    ProduceCalled,
)
from idemlab.producer_config import ProducerSettings
from idemlab.sim.partition import Batch
from idemlab.sim.producer import Message, PartitionQueue, SimProducer
from idemlab.sim.wire import ONE_WAY_MS

if TYPE_CHECKING:
    from idemlab.sim.wire import InFlight

# Kafka error code -> (the Java client's exception, retriable, invalid metadata), as
# kafka-clients 4.4 maps them (Errors.forCode(code).exception()).
JAVA_ERRORS: dict[int, tuple[str, bool]] = {
    2: ("CorruptRecordException", True),
    3: ("UnknownTopicOrPartitionException", True),
    5: ("LeaderNotAvailableException", True),
    6: ("NotLeaderOrFollowerException", True),
    7: ("TimeoutException", True),
    10: ("RecordTooLargeException", False),
    14: ("CoordinatorLoadInProgressException", True),
    19: ("NotEnoughReplicasException", True),
    20: ("NotEnoughReplicasAfterAppendException", True),
    29: ("TopicAuthorizationException", False),
    45: ("OutOfOrderSequenceException", False),
    46: ("DuplicateSequenceException", False),
    47: ("InvalidProducerEpochException", False),
    56: ("KafkaStorageException", True),
    59: ("UnknownProducerIdException", False),
    87: ("InvalidRecordException", False),
}
# The message of each exception when the broker's answer carries none (Errors.message(), as
# kafka-clients 4.4 prints them); Sender.failBatch builds TopicAuthorizationException itself.
JAVA_ERROR_MESSAGES: dict[int, str] = {
    2: "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, "
    "or is otherwise corrupt.",
    3: "This server does not host this topic-partition.",
    5: "There is no leader for this topic-partition as we are in the middle of a leadership election.",
    6: "For requests intended only for the leader, this error indicates that the broker is not the current leader. "
    "For requests intended for any replica, this error indicates that the broker is not a replica of the topic "
    "partition.",
    7: "The request timed out.",
    29: "Topic authorization failed.",
    10: "The request included a message larger than the max message size the server will accept.",
    14: "The coordinator is loading and hence can't process requests.",
    19: "Messages are rejected since there are fewer in-sync replicas than required.",
    20: "Messages are written to the log, but to fewer in-sync replicas than required.",
    45: "The broker received an out of order sequence number.",
    46: "The broker received a duplicate sequence number.",
    47: "Producer attempted to produce with an old epoch.",
    56: "Disk error when trying to access log file on the disk.",
    87: "This record has failed the validation on broker and hence will be rejected.",
}
TOPIC_AUTHORIZATION_FAILED = 29
# What send() throws once the producer has a fatal error (TransactionManager.maybeFailWithError),
# and the fatal error a refused InitProducerId leaves (InitProducerIdHandler) [measured].
SEND_AFTER_FATAL = ("KafkaException", "Cannot execute transactional method because we are in an error state")
INIT_PRODUCER_ID_FAILED = "Unexpected error in InitProducerIdResponse; "
# What the network layer reports: a lost connection and a request that timed out.
CLIENT_SIDE = {errors.TRANSPORT: ("NetworkException", True), errors.TIMED_OUT: ("TimeoutException", True)}
TIMEOUT_EXCEPTION = "TimeoutException"
MESSAGE_TOO_LARGE = 10
OUT_OF_ORDER = 45
DUPLICATE = 46
UNKNOWN_PRODUCER = 59
UNLIMITED_RECORDS = 2**31 - 1
METADATA_ROUND_TRIPS = 3  # connect, ApiVersions, Metadata
# A fresh JVM builds its first Produce request slowly (classes loaded, code not yet compiled):
# the real client's first request reached the proxy 5-21 ms after the application had already
# sent the next records, which went out right behind it (findings J10) [measured].
COLD_FIRST_REQUEST_MS = 5.0


@dataclass(frozen=True)
class JavaSimSettings(ProducerSettings):
    """The librdkafka model's settings, filled from the Java client's; as_config() gives
    the Java client's names."""

    java: dict[str, Any] = field(default_factory=dict)
    max_block_ms: int = 60_000

    def as_config(self) -> dict[str, Any]:
        return dict(self.java)


def settings(conf) -> JavaSimSettings:
    """The Java client's effective settings (ConfigError with its message)."""
    java = java_config.resolve(conf)
    return JavaSimSettings(
        idempotent=java.idempotent,
        acks=java.acks,
        retries=java.retries,
        max_in_flight=java.max_in_flight,
        linger_ms=java.linger_ms,
        batch_num_messages=UNLIMITED_RECORDS,  # a Java batch is bounded by batch.size bytes only
        batch_size=max(java.batch_size, 1),
        message_timeout_ms=java.delivery_timeout_ms,
        request_timeout_ms=java.request_timeout_ms,
        socket_timeout_ms=java.request_timeout_ms,
        retry_backoff_ms=java.retry_backoff_ms,
        retry_backoff_max_ms=java.retry_backoff_max_ms,
        reconnect_backoff_ms=java.reconnect_backoff_ms,
        reconnect_backoff_max_ms=java.reconnect_backoff_max_ms,
        gapless=False,
        java=java.as_config(),
        max_block_ms=java.max_block_ms,
    )


def java_error(error: str) -> tuple[str, bool, int | None]:
    """(the Java exception's name, retriable, Kafka error code) for an error of the wire."""
    if error in CLIENT_SIDE:
        name, retriable = CLIENT_SIDE[error]
        return name, retriable, None
    info = errors.ERRORS_BY_NAME.get(error) or next(e for e in errors.ERRORS.values() if e.name == error)
    name, retriable = JAVA_ERRORS.get(info.code, (f"KafkaException({info.name})", info.retriable))
    return name, retriable, info.code


def java_error_message(code: int | None, topic: str, broker_id: int, timed_out: bool = False) -> str:
    """The exception's message for a batch failed by an answer (Sender.failBatch); code None:
    no answer, the connection was lost or the request timed out [measured]."""
    if code is None:
        return f"Disconnected from node {broker_id}" + (" due to timeout" if timed_out else "")
    if code == TOPIC_AUTHORIZATION_FAILED:
        return f"Not authorized to access topics: [{topic}]"
    return JAVA_ERROR_MESSAGES.get(code, "")


def expiry_message(records: int, topic: str, partition: int, elapsed_ms: float) -> str:
    """Sender.sendProducerData's text for a batch past delivery.timeout.ms."""
    return f"Expiring {records} record(s) for {topic}-{partition}:{int(elapsed_ms)} ms has passed since batch creation"


def murmur2_partition(key: bytes, partitions: int) -> int:
    """The Java client's partition for a key: toPositive(murmur2(key)) % partitions."""
    m, r = 0x5BD1E995, 24
    length = len(key)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(key[i : i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = length % 4
    base = length - tail
    if tail == 3:
        h ^= key[base + 2] << 16
    if tail >= 2:
        h ^= key[base + 1] << 8
    if tail >= 1:
        h ^= key[base]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return (h & 0x7FFFFFFF) % partitions


class JavaSimProducer(SimProducer):
    # With linger.ms=0, whether the values of one step share a batch is a race between the
    # application's send() calls and the sender thread (findings J3).  The model's rule: each
    # value alone while the sender can send at once, together while it cannot.  EACH_ALONE
    # takes the race's other branch (the conformance test compares the real client with both).
    BY_READINESS, EACH_ALONE = "by-readiness", "each-alone"
    linger_0_batching = BY_READINESS
    # With no broker reachable the 4.x client re-bootstraps and forgets the topic, but only once
    # a reconnect failed: a send() soon after the broker went down may still find the topic's
    # metadata and queue its record (findings J7; both seen on c12).  KEEPS_METADATA takes
    # that branch.
    REBOOTSTRAPS, KEEPS_METADATA = "rebootstraps", "keeps-metadata"
    brokers_down_metadata = REBOOTSTRAPS
    # The first Produce request of a fresh JVM leaves late and the next ready batch right
    # behind it (findings J10).  WARM takes the race's other branch, seen on the real client
    # too: the first request leaves at once, and may be answered before the next one is lost.
    COLD, WARM = "cold", "warm"
    first_request = COLD
    # Where the first batch closes is timing too: the sender drains it whenever the connection
    # becomes ready, even between two records of one step (findings J10).  A number k takes
    # the branch where it holds the letters up to the k-th send() call; None: as the model times it.
    first_batch_closes_after: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stale: set[int] = set()  # partitions with requests of an older epoch in flight
        self._unresolved: set[int] = set()  # partitions whose expired retry left a possible gap
        self._expired: set[int] = set()  # ids of requests whose batch expired while in flight
        self._sent_as: dict[tuple[int, int], tuple[int, int, int]] = {}  # (partition, first msgid) -> pid, epoch, seq
        self._sticky_partition, self._sticky_bytes = 0, 0
        self._metadata_at: float | None = None  # when the topic's metadata is known
        self._first_request_at: float | None = None  # when the cold first Produce request leaves

    def produce(
        self, first_msg: int, values: tuple[str, ...], key: str | None, partition: int | None, pad_to: int | None
    ) -> None:
        before = {tp.partition: tp.next_msgid for tp in self.partitions}
        for msg, value in enumerate(values, first_msg):
            refused = self._refusal()
            if refused:
                self._refuse(msg, value, key, partition, *refused)
            elif partition is None and key is None and len(self.partitions) > 1:
                super().produce(msg, (value,), key, self._sticky(max(pad_to or 0, len(value.encode()))), pad_to)
            else:
                super().produce(msg, (value,), key, partition, pad_to)
            if msg == self.first_batch_closes_after:
                self._close_first_batch(msg)
        if self.settings.linger_ms == 0:
            # With linger.ms=0 a sender thread that can send drains each record as soon as
            # send() has appended it (one record a batch); one that cannot yet (no producer
            # id, no connection, no free slot) finds them together.  On the real client it
            # is a race between the two threads (docs/java-client-findings.md, J3).
            for tp in self.partitions:
                if self.linger_0_batching == self.EACH_ALONE or self._can_send_now(tp):
                    for m in tp.queue:
                        if m.msgid >= before[tp.partition]:
                            m.batch_last_msgid = m.msgid

    def _close_first_batch(self, last_msg: int) -> None:
        for tp in self.partitions:
            held = [m for m in tp.queue if m.batch_last_msgid is None and m.msg <= last_msg]
            for m in held:
                m.batch_last_msgid = held[-1].msgid

    def _first_batch_pending(self) -> bool:
        """The branch's first batch is not complete yet: it is not drained before it is."""
        k = self.first_batch_closes_after
        return (
            k is not None
            and self._first_request_at is None
            and not any(m.msg >= k for tp in self.partitions for m in tp.queue)
        )

    def _refusal(self) -> tuple[str, str] | None:
        """Why send() fails before the record is queued, or None.  KafkaProducer.doSend:
        without the topic's metadata it blocks up to max.block.ms; after a fatal error it
        throws.  With no broker reachable the 4.x client re-bootstraps (its metadata
        holds only the bootstrap address, metadata.recovery.strategy=rebootstrap), so the
        topic is unknown until a broker answers again [measured: c12-timed-out-in-queue]."""
        if self._metadata_at is None:
            # The first send() of the topic asks for its metadata and waits for the answer:
            # a connection, ApiVersions, then Metadata (KafkaProducer.waitOnMetadata).
            self._metadata_at = self.sim.now + METADATA_ROUND_TRIPS * 2 * ONE_WAY_MS
            self.sim.scheduler.at(self._metadata_at, self.wake)
        limit = self.sim.now + self.settings.max_block_ms
        if self._metadata_known() or self.sim.scheduler.run_until(self._metadata_known, limit):
            return SEND_AFTER_FATAL if self.state == self.FATAL else None
        self.sim.scheduler.advance_to(limit)
        return TIMEOUT_EXCEPTION, f"Topic {self.topic} not present in metadata after {self.settings.max_block_ms} ms."

    def _metadata_known(self) -> bool:
        fetched = self._metadata_at is not None and self.sim.now >= self._metadata_at
        kept = self.brokers_down_metadata == self.KEEPS_METADATA
        return fetched and (kept or any(broker.up for broker in self.sim.cluster.brokers.values()))

    def _refuse(self, msg: int, value: str, key: str | None, partition: int | None, error: str, text: str) -> None:
        """The application called send() and got the exception (the callback's, or thrown):
        nothing is queued; the report names no partition."""
        if not self.sim.record_messages:
            self.sim.tally(PRODUCE_CALLED)
            self.sim.tally(DELIVERY_REPORT, error)
            return
        shown = partition if partition is not None else (0 if len(self.partitions) == 1 else -1)
        self.sim.emit_detail(ProduceCalled(msg, value, key, shown))
        self.sim.emit_detail(DeliveryReport(msg, value, None, None, error, None, text))

    def _can_send_now(self, tp: PartitionQueue) -> bool:
        if self.state != self.ASSIGNED:
            return False
        broker_id = self.sim.cluster.leader_of(tp.partition)
        connection = self.sim.wire.connections.get((id(self), broker_id))
        return (
            connection is not None
            and connection.state == "up"
            and len(connection.in_flight) < self.settings.max_in_flight
        )

    def _sticky(self, size: int) -> int:
        """BuiltInPartitioner for a record without key or partition: one partition until
        batch.size bytes went to it, then another.  The real client picks each one at random
        (weighted by queue sizes), so no run can be compared with it record by record; the
        model starts at partition 0 and takes the next one each time (findings J6)."""
        chosen = self._sticky_partition
        self._sticky_bytes += size
        if self._sticky_bytes >= self.settings.batch_size:
            self._sticky_partition, self._sticky_bytes = (chosen + 1) % len(self.partitions), 0
        return chosen

    def _partition_for(self, key: str | None) -> int:
        if key is not None and len(self.partitions) > 1:
            return murmur2_partition(key.encode(), len(self.partitions))
        return super()._partition_for(key)

    # ---- the sender ---------------------------------------------------------------
    def _serve(self) -> None:
        self._serve_scheduled = False
        if self.state != self.ASSIGNED:
            return
        if self._first_request_at is not None and self.sim.now < self._first_request_at:
            return  # the sender thread is still building its first request
        for tp in self.partitions:
            self._serve_partition(tp)

    def _serve_partition(self, tp: PartitionQueue) -> None:
        while tp.queue:
            head = tp.queue[0]
            if tp.partition in self._stale:
                if self._unacked(tp):
                    if not head.possibly_persisted:
                        return  # no new batch while older-epoch ones are unanswered
                else:
                    self._stale.discard(tp.partition)
                    self._reset_base(tp)
            if self.settings.idempotent and head.possibly_persisted and head.msgid != min(self._unacked(tp)):
                return  # a retried batch waits until it is the first unacknowledged one
            if self.settings.idempotent and not head.possibly_persisted and tp.partition in self._unresolved:
                return
            broker_id = self.sim.cluster.leader_of(tp.partition)
            if broker_id is None:
                return
            # Sender.sendProducerData: a node is connected to (NetworkClient.ready) only once it
            # has a batch ready to go, so a first batch lingers and then waits for the connection.
            ready_at = self._ready_at(tp)
            if ready_at > self.sim.now:
                self.sim.scheduler.at(ready_at, self.wake)
                return
            connection = self.sim.wire.connection(self, broker_id)
            if connection is None or len(connection.in_flight) >= self.settings.max_in_flight:
                return
            if self._first_request_at is None:
                if self._first_batch_pending():
                    return
                self._drain_first(tp)
            if self.sim.now < self._first_request_at:
                return
            self._send(tp, broker_id, self._take_batch(tp))

    def _drain_first(self, tp: PartitionQueue) -> None:
        """The first batch is drained now (later records start a new batch) and, from a cold
        sender, leaves COLD_FIRST_REQUEST_MS later; whatever became ready meanwhile leaves
        right behind it."""
        taken = self._take_batch(tp)
        for m in taken:
            m.batch_last_msgid = taken[-1].msgid
        tp.queue[:0] = taken
        tp.fresh += sum(1 for m in taken if m.retries == 0)
        self._first_request_at = self.sim.now
        if self.first_request == self.COLD:
            self._first_request_at += COLD_FIRST_REQUEST_MS
            self.sim.scheduler.at(self._first_request_at, self.wake)

    def _unacked(self, tp: PartitionQueue) -> list[int]:
        """First msgids of the batches sent and not yet answered for good: in flight, or
        queued for a retry (TransactionManager's in-flight batches)."""
        sent = [r.messages[0].msgid for r in tp.in_flight if r.messages and id(r) not in self._expired]
        return sent + [m.msgid for m in tp.queue if m.possibly_persisted]

    def _send(self, tp: PartitionQueue, broker_id: int, messages: list[Message]) -> None:
        """A batch keeps the producer id, epoch and sequence of its first send on every
        retry, unless its partition's sequences were rewritten by an epoch bump."""
        key = (tp.partition, messages[0].msgid)
        if not self.settings.idempotent:
            pid, epoch, base_seq = NO_PRODUCER_ID, -1, -1
        elif key in self._sent_as:
            pid, epoch, base_seq = self._sent_as[key]
        else:
            pid, epoch, base_seq = self.producer_id, self.epoch, tp.sequence_of(messages[0].msgid)
            self._sent_as[key] = (pid, epoch, base_seq)
        for m in messages:
            m.possibly_persisted = True
        batch = Batch(
            tp.partition, pid, epoch, base_seq, tuple(messages), max_timestamp=max(m.enqueued_ms for m in messages)
        )
        request = self.sim.wire.send_produce(
            self, broker_id, tp, messages, batch, self.settings.request_timeout_ms, attempt=messages[0].retries + 1
        )
        tp.in_flight.append(request)
        if self.settings.acks == 0:
            tp.in_flight.remove(request)
            self.sim.wire.forget(request)
            for m in messages:
                self._report(m, None, None)
            return
        deadline = messages[0].enqueued_ms + self.settings.message_timeout_ms
        self.sim.scheduler.at(max(deadline, self.sim.now), self._expire_in_flight, tp, request)

    # ---- responses ----------------------------------------------------------------
    def on_produce_response(self, request: InFlight, error: str | None, base_offset: int) -> None:
        tp = self.partitions[request.partition]
        if request in tp.in_flight:
            tp.in_flight.remove(request)
        if self.state == self.CLOSED:
            return
        if id(request) in self._expired:
            # Already reported as timed out; a success still tells which sequence was acknowledged.
            self._expired.discard(id(request))
            if error is None and self.settings.idempotent:
                tp.acked_msgid = max(tp.acked_msgid, request.messages[-1].msgid)
            self._resolve(tp)
            self.wake()
            return
        if error is None:
            self._on_success(tp, request, base_offset)
        else:
            self._on_error(tp, request, error)
        self._resolve(tp)
        self.wake()

    def _on_error(self, tp: PartitionQueue, request: InFlight, error: str) -> None:
        messages = request.messages
        name, retriable, code = java_error(error)
        timed_out = self.sim.now - messages[0].enqueued_ms >= self.settings.message_timeout_ms
        can_retry = not timed_out and messages[0].retries < self.settings.retries
        if code == MESSAGE_TOO_LARGE and len(messages) > 1:
            # Sender.completeBatch: split and retried, one record a batch here.
            for m in messages:
                m.batch_last_msgid = m.msgid
            self._requeue(tp, messages, count_retry=False)
            return
        if self.settings.idempotent:
            if code == DUPLICATE:
                self._on_success(tp, request, -1)
                return
            if code in (OUT_OF_ORDER, UNKNOWN_PRODUCER) and can_retry:
                next_in_line = messages[0].msgid == tp.acked_msgid + 1
                # Re-queued first: the bump rewrites the sequences of every batch still
                # pending on the partition, this one included (startSequencesAtBeginning).
                self._requeue(tp, messages)
                if code == UNKNOWN_PRODUCER or next_in_line:
                    self._bump(tp, "the broker lost this producer's sequence" if code == UNKNOWN_PRODUCER else "gap")
                return
        if retriable and can_retry:
            self._requeue(tp, messages)
            return
        text = java_error_message(code, self.topic, request.broker_id, timed_out=error == errors.TIMED_OUT)
        for m in messages:
            self._report(m, name, None, text=text)
        if self.settings.idempotent and messages[0].retries < self.settings.retries:
            self._bump(tp, f"a batch failed with {name}")

    def _on_success(self, tp: PartitionQueue, request: InFlight, base_offset: int) -> None:
        """No implicit acknowledgement of earlier batches (librdkafka's L8): each batch
        is completed by its own answer."""
        if self.settings.idempotent:
            tp.acked_msgid = max(tp.acked_msgid, request.messages[-1].msgid)
        for i, m in enumerate(request.messages):
            self._report(m, None, base_offset + i if base_offset >= 0 else None)

    def _requeue(self, tp: PartitionQueue, messages: list[Message], count_retry: bool = True) -> None:
        super()._requeue(tp, messages, count_retry)
        for m in messages:
            m.batch_last_msgid = messages[-1].msgid  # a ProducerBatch keeps its records
        if not self.settings.idempotent:
            # RecordAccumulator.reenqueue: addFirst, ahead of batches already queued.
            retried = {id(m) for m in messages}
            tp.queue = messages + [m for m in tp.queue if id(m) not in retried]

    # ---- epochs -------------------------------------------------------------------
    def _bump(self, failed: PartitionQueue, reason: str) -> None:
        """TransactionManager.bumpIdempotentProducerEpoch: at once, locally; the failed
        partition's sequences restart at 0 from its first unacknowledged batch."""
        old = self.epoch
        self.epoch = (self.epoch + 1) & 0x7FFF
        self.sim.emit(EPOCH_BUMP, producer_id=self.producer_id, from_epoch=old, to_epoch=self.epoch, reason=reason)
        for tp in self.partitions:
            if tp is failed:
                pending = [m.msgid for r in tp.in_flight for m in r.messages] + [m.msgid for m in tp.queue]
                tp.epoch_base_msgid = min(pending) if pending else tp.next_msgid
                tp.acked_msgid = tp.epoch_base_msgid - 1
                self._sent_as = {k: v for k, v in self._sent_as.items() if k[0] != tp.partition}
                self._unresolved.discard(tp.partition)
            elif self._unacked(tp):
                self._stale.add(tp.partition)
            else:
                self._reset_base(tp)

    def _resolve(self, tp: PartitionQueue) -> None:
        """TransactionManager.maybeResolveSequences: once nothing is in flight, a gap left
        by an expired batch is closed with an epoch bump."""
        if tp.partition not in self._unresolved or tp.in_flight:
            return
        self._unresolved.discard(tp.partition)
        nothing_pending = not any(m.possibly_persisted for m in tp.queue)
        if nothing_pending and tp.acked_msgid + 1 < (tp.queue[0].msgid if tp.queue else tp.next_msgid):
            self._bump(tp, "unacknowledged batches expired")

    # ---- delivery.timeout.ms ------------------------------------------------------
    def _expire_due(self, tp: PartitionQueue) -> None:
        limit = self.sim.now - self.settings.message_timeout_ms
        while tp.queue and tp.queue[0].enqueued_ms <= limit:
            batch = self._queued_batch(tp)
            del tp.queue[: len(batch)]
            tp.fresh -= sum(1 for m in batch if m.retries == 0)
            if batch[0].possibly_persisted and self.settings.idempotent:
                self._unresolved.add(tp.partition)
            text = expiry_message(len(batch), self.topic, tp.partition, self.sim.now - batch[0].enqueued_ms)
            for m in batch:
                self._report(m, TIMEOUT_EXCEPTION, None, text=text)
        self._resolve(tp)

    def _queued_batch(self, tp: PartitionQueue) -> list[Message]:
        return tp.queue[: self._batch_end(tp)]

    def _batch_end(self, tp: PartitionQueue) -> int:
        """Where the head's batch ends in the queue.  A retried batch goes back ahead of the
        ones queued (addFirst), so a later batch may precede an earlier one: a batch ends at
        its own last record, not at the first higher msgid."""
        last = tp.queue[0].batch_last_msgid
        if last is None:
            return 1
        return 1 + next((i for i, m in enumerate(tp.queue) if m.msgid == last), len(tp.queue) - 1)

    def _take_batch(self, tp: PartitionQueue) -> list[Message]:
        if tp.queue[0].batch_last_msgid is None:
            return super()._take_batch(tp)
        taken = tp.queue[: self._batch_end(tp)]
        del tp.queue[: len(taken)]
        tp.fresh -= sum(1 for m in taken if m.retries == 0)
        return taken

    def _expire_in_flight(self, tp: PartitionQueue, request: InFlight) -> None:
        """Sender.getExpiredInflightBatches: a batch in flight past its delivery timeout
        fails now; its answer, when it comes, is only used to learn the sequence."""
        if request not in tp.in_flight or self.state == self.CLOSED:
            return
        self._expired.add(id(request))
        if self.settings.idempotent and request.messages and request.messages[0].retries > 0:
            self._unresolved.add(tp.partition)
        messages = request.messages
        text = expiry_message(len(messages), self.topic, tp.partition, self.sim.now - messages[0].enqueued_ms)
        for m in messages:
            self._report(m, TIMEOUT_EXCEPTION, None, text=text)
        self.wake()

    def on_producer_id(self, producer_id: int, epoch: int) -> None:
        super().on_producer_id(producer_id, epoch)
        self._stale.clear()

    # ---- fatal errors -------------------------------------------------------------
    def on_producer_id_failed(self, error: str, retriable: bool) -> None:
        """InitProducerIdHandler: a retriable error is retried; any other is fatal, as a
        KafkaException naming the error's message (the lab's faults reach no other case)."""
        if self.state == self.CLOSED or retriable:
            super().on_producer_id_failed(error, retriable)
            return
        _, _, code = java_error(error)
        text = INIT_PRODUCER_ID_FAILED + (JAVA_ERROR_MESSAGES.get(code) or error)
        self._set_fatal("KafkaException", text)

    def _set_fatal(self, error: str, text: str) -> None:
        """Sender.runOnce with a fatal error: every batch not yet sent fails with it
        (maybeAbortBatches); later send() calls throw (_refusal)."""
        if self.state == self.FATAL:
            return
        self.state = self.FATAL
        self.fatal_error = text
        self.sim.emit(FATAL_ERROR, error=error, message=text)
        for tp in self.partitions:
            aborted, tp.queue, tp.fresh = tp.queue, [], 0
            for m in aborted:
                self._report(m, error, None, text=text)

    # ---- reports ------------------------------------------------------------------
    def _report(
        self, message: Message, error: str | None, offset: int | None, implicit: bool = False, text: str | None = None
    ) -> None:
        """A failed delivery carries the exception's message, as the callback receives it."""
        if text is None or not self.sim.record_messages:
            super()._report(message, error, offset, implicit)
            return
        self.outstanding -= 1
        self.sim.emit_detail(DeliveryReport(message.msg, message.value, message.partition, offset, error, None, text))


__all__ = [
    "JAVA_ERRORS",
    "JAVA_ERROR_MESSAGES",
    "JavaSimProducer",
    "JavaSimSettings",
    "expiry_message",
    "java_error_message",
    "murmur2_partition",
    "settings",
]
