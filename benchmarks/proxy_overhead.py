"""Throughput through the fault proxy versus straight to the broker, same run.

    python -m benchmarks.proxy_overhead [--messages 50000] [--size 100] [--bootstrap HOST:PORT]

Without --bootstrap it starts its own single-node LocalCluster.  Idempotence on,
librdkafka's default batching; every message is traced by the proxy (values decoded,
one REQUEST_SENT / BROKER_DECISION / RESPONSE_RECEIVED per batch), as in a real run.
Prints messages/s for each path and the ratio proxied/direct (target >= 0.8).

The producer runs in a child process for both paths: the proxy thread would otherwise
fight the producing loop for this process's GIL (a thread waiting for the GIL gets it
only every 5 ms switch interval), which measures the benchmark harness, not the proxy.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import time
import uuid

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from idemlab.kafka.proxy import ProxyThread


def produce_rate(bootstrap: str, topic: str, messages: int, size: int) -> float:
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "enable.idempotence": True,
            "queue.buffering.max.messages": max(messages, 100000),
        }
    )
    # Warm up: connections, producer id, metadata.
    producer.produce(topic, b"w")
    producer.flush(30)
    payload = b"x" * size
    delivered = 0

    def on_delivery(error, _message):
        nonlocal delivered
        if error is None:
            delivered += 1

    started = time.perf_counter()
    for _ in range(messages):
        producer.produce(topic, payload, on_delivery=on_delivery)
        producer.poll(0)
    remaining = producer.flush(60)
    elapsed = time.perf_counter() - started
    if remaining or delivered != messages:
        raise RuntimeError(f"only {delivered} of {messages} messages delivered")
    return messages / elapsed


def produce_rate_in_child(bootstrap: str, topic: str, messages: int, size: int) -> float:
    from benchmarks.proxy_overhead import produce_rate as by_module_name  # picklable under -m

    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(by_module_name, (bootstrap, topic, messages, size))


def create_topic(bootstrap: str, topic: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)


@contextlib.contextmanager
def cluster_bootstrap(bootstrap: str | None):
    if bootstrap:
        yield {1: _host_port(bootstrap)}
        return
    from idemlab.kafka.launcher import LocalCluster

    with LocalCluster.start(brokers=1) as cluster:
        yield {node_id: ("127.0.0.1", status.port) for node_id, status in cluster.nodes.items()}


def _host_port(address: str) -> tuple[str, int]:
    host, port = address.rsplit(":", 1)
    return host, int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--bootstrap", help="an already running broker (single node)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; best of each")
    args = parser.parse_args()

    with cluster_bootstrap(args.bootstrap) as upstreams:
        direct_bootstrap = ",".join(f"{h}:{p}" for h, p in upstreams.values())
        events = []
        with ProxyThread(upstreams, on_event=events.append) as proxy:
            direct, proxied, proxy_cpu = [], [], []
            for round_no in range(args.rounds):
                for label, bootstrap, rates in (
                    ("direct", direct_bootstrap, direct),
                    ("proxied", proxy.bootstrap, proxied),
                ):
                    topic = f"bench-{label}-{round_no}-{uuid.uuid4().hex[:8]}"
                    create_topic(direct_bootstrap, topic)
                    cpu_before = proxy.thread_cpu_seconds()
                    rates.append(produce_rate_in_child(bootstrap, topic, args.messages, args.size))
                    if label == "proxied":
                        proxy_cpu.append(proxy.thread_cpu_seconds() - cpu_before)
        best_direct, best_proxied = max(direct), max(proxied)
        requests = sum(1 for e in events if e.kind == "request" and e.get("api") == "produce")
        print(f"messages: {args.messages} x {args.size} B, idempotence on, rounds: {args.rounds}")
        print(f"direct:  {best_direct:10.0f} msg/s   (all rounds: {', '.join(f'{r:.0f}' for r in direct)})")
        print(f"proxied: {best_proxied:10.0f} msg/s   (all rounds: {', '.join(f'{r:.0f}' for r in proxied)})")
        print(f"ratio proxied/direct: {best_proxied / best_direct:.2f}   (target >= 0.8)")
        print(f"produce requests traced by the proxy: {requests}")
        per_message = min(proxy_cpu) / (args.messages + 1) * 1e6
        print(
            f"proxy thread CPU per proxied round: {', '.join(f'{c:.2f}s' for c in proxy_cpu)}"
            f"  (best {per_message:.1f} us/message)"
        )


if __name__ == "__main__":
    main()
