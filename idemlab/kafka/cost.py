"""What idempotence costs on a real broker: produce throughput with it on and off.

Used live by the cost lesson when a real broker is available, and by
benchmarks/real_broker.py; otherwise the lesson quotes MEASURED (the README's figures).
"""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

# Measured with benchmarks/real_broker.py; the README says on which machine.
MEASURED = {
    "machine": "2-core Linux VM (x86_64, 24 GiB), Python 3.11, Apache Kafka 4.4.0 (one local KRaft node), "
    "confluent-kafka 2.16.1, load average 1.3",
    "messages": 50_000,
    "size": 100,
    "off_per_s": 543_472,
    "on_per_s": 344_142,
    "ratio": 0.63,
}


def produce_rate(bootstrap: str, idempotent: bool, messages: int, size: int) -> float:
    """Messages per second for one producer writing `messages` values of `size` bytes
    to a fresh single-partition topic (after a warm-up message)."""
    topic = f"idemlab-cost-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "enable.idempotence": idempotent,
            "queue.buffering.max.messages": max(messages, 100_000),
            "log_level": 3,
        }
    )
    producer.produce(topic, b"w")
    producer.flush(30)
    payload = b"x" * size
    started = time.perf_counter()
    for _ in range(messages):
        producer.produce(topic, payload)
        producer.poll(0)
    producer.flush(120)
    rate = messages / (time.perf_counter() - started)
    admin.delete_topics([topic])
    return rate


def compare(bootstrap: str, messages: int = 20_000, size: int = 100, rounds: int = 1) -> dict:
    """Alternate off and on `rounds` times; best of each."""
    off, on = [], []
    for _ in range(rounds):
        off.append(produce_rate(bootstrap, False, messages, size))
        on.append(produce_rate(bootstrap, True, messages, size))
    return {"messages": messages, "size": size, "off_per_s": max(off), "on_per_s": max(on), "ratio": max(on) / max(off)}
