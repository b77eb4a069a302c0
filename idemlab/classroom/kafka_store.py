"""Classes on an existing Kafka cluster, for a workshop that outgrows one app process
or one machine: every app process produces to, and reads back from, one compacted topic.

- Written with the idempotent producer (enable.idempotence=true, acks=all): a retried
  answer is never stored twice — the lab uses the feature it teaches.
- Keys: `class/<CODE>` (the class: created, expires, the hash of the instructor's key),
  `answer/<CODE>/<learner>/<question>` (the choice) and `reveal/<CODE>/<question>`; compaction keeps the latest value
  per key, so a changed answer replaces the old one, and `compact,delete` with a
  retention of two days removes old classes altogether.
- A class lives in one partition (crc32 of its code), so reading a class back reads one
  partition: each process keeps what it has read and only fetches what is new.
- What the broker remembers of the producers that wrote a class's partition (producer
  id, epoch, last sequence number) comes from the broker itself, by DescribeProducers
  (idemlab.kafka.describe): confluent-kafka's Message does not expose a record's
  producer id or sequence.

Limits (answers per learner, learners per class) are checked against what this process
has read, just before producing: two processes racing on one learner's 100th answer may
both pass.  The bound still holds per process, and the reader applies it again.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from idemlab.classroom.model import Answer, ClassError, ClassInfo
from idemlab.classroom.store import ClassStore

DEFAULT_TOPIC = "idemlab-classes"
PARTITIONS = 6
RETENTION_MS = 2 * 24 * 3600 * 1000
TIMEOUT_S = 10.0


class KafkaStore(ClassStore):
    kind = "kafka"

    def __init__(
        self,
        bootstrap: str,
        topic: str = DEFAULT_TOPIC,
        client_config: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock)
        from confluent_kafka import Consumer, Producer

        self.bootstrap = bootstrap
        self.topic = topic
        common = {"bootstrap.servers": bootstrap, **dict(client_config or {})}
        self._ensure_topic(common)
        self.producer = Producer({**common, "enable.idempotence": True, "acks": "all", "linger.ms": 2})
        self.consumer = Consumer(
            {
                **common,
                "group.id": "idemlab-classroom-reader",
                "enable.auto.commit": False,
                "enable.partition.eof": False,
                "fetch.wait.max.ms": 10,  # read up to the high watermark, then stop: never wait for more
            }
        )
        self._lock = threading.Lock()
        self._read: dict[int, tuple[int, dict[str, dict]]] = {}  # partition -> (next offset, key -> value)
        self.partitions = len(self.consumer.list_topics(topic, timeout=TIMEOUT_S).topics[topic].partitions)

    def describe(self) -> str:
        return f"Kafka topic {self.topic} on {self.bootstrap}"

    def _ensure_topic(self, common: dict) -> None:
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic

        admin = AdminClient(common)
        metadata = admin.list_topics(timeout=TIMEOUT_S)
        if self.topic in metadata.topics and not metadata.topics[self.topic].error:
            return
        replicas = min(3, len(metadata.brokers))
        config = {"cleanup.policy": "compact,delete", "retention.ms": str(RETENTION_MS)}
        if replicas > 1:
            config["min.insync.replicas"] = str(replicas - 1)
        future = admin.create_topics([NewTopic(self.topic, PARTITIONS, replicas, config=config)])[self.topic]
        try:
            future.result(TIMEOUT_S)
        except KafkaException as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
        deadline = time.monotonic() + TIMEOUT_S  # a new topic's partitions need leaders first
        while time.monotonic() < deadline:
            found = admin.list_topics(self.topic, timeout=TIMEOUT_S).topics.get(self.topic)
            if found and not found.error and found.partitions and all(p.leader >= 0 for p in found.partitions.values()):
                return
            time.sleep(0.1)

    def close(self) -> None:
        self.producer.flush(TIMEOUT_S)
        self.consumer.close()

    # -- where a class lives ---------------------------------------------------------------
    def partition_of(self, code: str) -> int:
        return zlib.crc32(code.encode()) % self.partitions

    def _produce(self, code: str, records: list[tuple[str, dict | None]]) -> None:
        """The records of one learner action, produced together and then awaited: every
        one acknowledged (acks=all), or a ClassError of one sentence."""
        from confluent_kafka import KafkaException

        reports: list = []
        try:
            for key, value in records:
                self.producer.produce(
                    self.topic,
                    key=key.encode(),
                    value=None if value is None else json.dumps(value).encode(),
                    partition=self.partition_of(code),
                    on_delivery=lambda err, _msg: reports.append(err),
                )
                self.producer.poll(0)
        except (BufferError, KafkaException) as exc:
            raise ClassError(f"The class store on Kafka did not take the answer ({exc}).") from None
        deadline = time.monotonic() + TIMEOUT_S
        while len(reports) < len(records) and time.monotonic() < deadline:
            self.producer.flush(max(0.1, deadline - time.monotonic()))
        failed = [err for err in reports if err is not None]
        if len(reports) < len(records) or failed:
            reason = failed[0] if failed else "no reply"
            raise ClassError(f"The class store on Kafka did not take the answer ({reason}).")

    def _state(self, code: str) -> dict[str, dict]:
        """Every live key of the class's partition, brought up to date (new records only)."""
        from confluent_kafka import TopicPartition

        partition = self.partition_of(code)
        with self._lock:
            offset, values = self._read.get(partition, (0, {}))
            low, high = self._watermarks(TopicPartition(self.topic, partition))
            offset = max(offset, low)
            if offset < high:
                self.consumer.assign([TopicPartition(self.topic, partition, offset)])
                deadline = time.monotonic() + TIMEOUT_S
                while offset < high and time.monotonic() < deadline:
                    # consume() returns when it has `count` messages: ask for no more than remain
                    for message in self.consumer.consume(min(500, high - offset), timeout=0.5):
                        if message.error():
                            continue
                        offset = message.offset() + 1
                        key = (message.key() or b"").decode(errors="replace")
                        if message.value() is None:
                            values.pop(key, None)
                        else:
                            try:
                                values[key] = json.loads(message.value())
                            except ValueError:
                                continue
                self.consumer.unassign()
            self._read[partition] = (offset, values)
            return dict(values)

    def _watermarks(self, partition) -> tuple[int, int]:
        from confluent_kafka import KafkaError, KafkaException

        deadline = time.monotonic() + TIMEOUT_S
        while True:  # a leader still being elected answers NOT_LEADER for a moment
            try:
                return self.consumer.get_watermark_offsets(partition, timeout=TIMEOUT_S, cached=False)
            except KafkaException as exc:
                error = exc.args[0]
                # A topic created a moment ago may not have its leader yet: wait for it.
                settling = error.code() in (
                    KafkaError.NOT_LEADER_FOR_PARTITION,
                    KafkaError.LEADER_NOT_AVAILABLE,
                    KafkaError.UNKNOWN_TOPIC_OR_PART,
                )
                if time.monotonic() >= deadline or not (error.retriable() or settling):
                    raise ClassError(f"The class store on Kafka cannot be read ({exc.args[0].str()}).") from None
                time.sleep(0.2)

    # -- the store interface ---------------------------------------------------------------
    def _save_class(self, info: ClassInfo) -> bool:
        if f"class/{info.code}" in self._state(info.code):
            return False
        self._overwrite_class(info)
        return True

    def _overwrite_class(self, info: ClassInfo) -> None:
        value = {"created": info.created, "expires": info.expires, "host": info.host_hash}
        self._produce(info.code, [(f"class/{info.code}", value)])

    def _load_class(self, code: str) -> ClassInfo | None:
        value = self._state(code).get(f"class/{code}")
        try:
            if not value:
                return None
            return ClassInfo(code, float(value["created"]), float(value["expires"]), str(value.get("host", "")))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    def _save_answers(self, code: str, answers: list[Answer], limit_learner: int, limit_learners: int) -> None:
        learner = answers[0].learner
        stored = self._load_answers(code)
        known = {a.question for a in stored if a.learner == learner}
        new = sum(1 for answer in answers if answer.question not in known)
        if new and len(known) + new > limit_learner:
            raise ClassError(f"This browser has sent {limit_learner} answers to the class, the most it may.")
        if new and not known and len({a.learner for a in stored}) >= limit_learners:
            raise ClassError(f"The class is full ({limit_learners} learners).")
        records = [(f"answer/{code}/{a.learner}/{a.question}", {"choice": a.choice, "at": a.at}) for a in answers]
        self._produce(code, records)

    def _save_reveal(self, code: str, question: str, at: float) -> None:
        self._produce(code, [(f"reveal/{code}/{question}", {"at": at})])

    def _load_reveals(self, code: str) -> set[str]:
        prefix = f"reveal/{code}/"
        return {key[len(prefix) :] for key in self._state(code) if key.startswith(prefix)}

    def _load_answers(self, code: str) -> list[Answer]:
        prefix = f"answer/{code}/"
        out = []
        for key, value in self._state(code).items():
            if not key.startswith(prefix):
                continue
            learner, _, question = key[len(prefix) :].partition("/")
            try:
                out.append(Answer(learner, question, int(value["choice"]), float(value["at"])))
            except (KeyError, TypeError, ValueError):
                continue
        return out

    # -- what the broker remembers of the class's producers -------------------------------------
    def producers(self, code: str) -> list[dict]:
        """The idempotent producers that wrote the class's partition, as its leader
        remembers them: producer id, epoch and last sequence number (DescribeProducers)."""
        from idemlab.kafka.describe import describe_producers

        partition = self.partition_of(code)
        metadata = self.consumer.list_topics(self.topic, timeout=TIMEOUT_S)
        leader = metadata.topics[self.topic].partitions[partition].leader
        broker = metadata.brokers.get(leader)
        if broker is None:
            return []
        found = describe_producers((broker.host, broker.port), self.topic, partition, timeout_s=5.0) or []
        return [
            {
                "partition": partition,
                "producer_id": p.producer_id,
                "epoch": p.producer_epoch,
                "last_sequence": p.last_sequence,
            }
            for p in found
        ]
