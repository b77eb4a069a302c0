"""The Java client on a real broker, next to librdkafka, on the same local broker in one run:

1. how long one lab run takes with each client, the Java client's JVM start included (a
   fresh JVM per run, as the lab runs it): median wall time of lost-ack, idempotence on;
2. the cost of idempotence for each client: COUNT records of SIZE bytes to one partition,
   idempotence on and off, each client with its own defaults otherwise (acks=all for both;
   linger.ms 5 for both; batches of 16 KiB for Java, up to 1 MB for librdkafka).  The JVM
   produces the records itself (IdemlabProducer's bulk command: no JSON line per record);
   librdkafka is driven from Python.  Each producer sends 5,000 records before it is timed;
   rounds alternate which of on/off goes first; medians are printed.

    python benchmarks/java_run_time.py [RUNS] [COUNT] [ROUNDS]

Prints the figures and the load average before and after.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from idemlab import backends, scenarios
from idemlab.kafka import clusters
from idemlab.kafka.java_client import JavaProducer
from idemlab.kafka.launcher import LocalCluster

SIZE = 100
WARM_UP = 5_000  # records each producer sends before it is timed
BULK_TIMEOUT_S = 600


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_times(runs: int) -> None:
    base = scenarios.apply_overrides(scenarios.load("lost-ack"), [("enable.idempotence", True)])
    for client in ("librdkafka", "java"):
        scenario = scenarios.apply_overrides(base, [("client", client)])
        backends.run(scenario, backends.LOCAL)  # warm: jars cached, program compiled
        times = []
        for _ in range(runs):
            started = time.monotonic()
            trace = backends.run(scenario, backends.LOCAL)
            times.append(time.monotonic() - started)
            assert trace.run_error is None, trace.run_error
        print(f"{client:10s} lost-ack, idempotence on: median {statistics.median(times):.2f} s over {runs} runs")


def new_topic(bootstrap: str) -> str:
    topic = f"idemlab-bench-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(timeout=30)
    return topic


def librdkafka_rate(bootstrap: str, idempotent: bool, count: int) -> float:
    topic = new_topic(bootstrap)
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": idempotent, "acks": "all"})
    failed = []
    value = b"." * SIZE

    def on_delivery(error, _message) -> None:
        if error is not None:
            failed.append(error)

    def produce(records: int) -> float:
        started = time.monotonic()
        for _ in range(records):
            while True:
                try:
                    producer.produce(topic, value, partition=0, on_delivery=on_delivery)
                    break
                except BufferError:
                    producer.poll(0.01)
            producer.poll(0)
        producer.flush(BULK_TIMEOUT_S)
        return time.monotonic() - started

    produce(min(count, WARM_UP))  # connection, producer id, metadata: as the JVM's warm-up
    seconds = produce(count)
    assert not failed, failed[:3]
    return count / seconds


def java_rate(bootstrap: str, idempotent: bool, count: int) -> float:
    topic = new_topic(bootstrap)
    java = JavaProducer(lambda event: None)
    try:
        refused = java.create({"bootstrap.servers": bootstrap, "enable.idempotence": idempotent, "acks": "all"})
        assert refused is None, refused
        java.request("bulk", timeout=BULK_TIMEOUT_S, topic=topic, count=min(count, WARM_UP), size=SIZE, partition=0)
        done = java.request("bulk", timeout=BULK_TIMEOUT_S, topic=topic, count=count, size=SIZE, partition=0)
        assert done["failed"] == 0, done
        return count / done["seconds"]
    finally:
        java.stop()


def idempotence_cost(bootstrap: str, count: int, rounds: int) -> None:
    rates: dict[tuple[str, bool], list[float]] = {}
    for round_no in range(rounds):
        for client, measure in (("librdkafka", librdkafka_rate), ("java", java_rate)):
            for idempotent in (False, True) if round_no % 2 == 0 else (True, False):
                rates.setdefault((client, idempotent), []).append(measure(bootstrap, idempotent, count))
    for client in ("librdkafka", "java"):
        off = statistics.median(rates[(client, False)])
        on = statistics.median(rates[(client, True)])
        spread = {i: f"{min(rates[(client, i)]):,.0f}-{max(rates[(client, i)]):,.0f}" for i in (False, True)}
        print(
            f"{client:10s} {count:,} x {SIZE} B: idempotence off {off:,.0f} msg/s ({spread[False]}), "
            f"on {on:,.0f} msg/s ({spread[True]}), on/off {on / off:.2f} (medians of {rounds})"
        )


def main(runs: int, count: int, rounds: int) -> None:
    print(f"load average before: {load()}")
    cluster = LocalCluster.start(brokers=1)
    clusters.SHARED.use(cluster)
    try:
        run_times(runs)
        idempotence_cost(cluster.bootstrap, count, rounds)
    finally:
        clusters.SHARED.use(None)
        cluster.close()
    print(f"load average after: {load()}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    main(*(args + [5, 50_000, 3][len(args) :]))
