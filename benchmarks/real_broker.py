"""Two figures from a real local broker (already up when timing starts):

(b) the lost-ack scenario end to end through the fault proxy (topic creation, producer,
    the retry, read-back), median of 5 runs;
(d) the cost of idempotence: messages/s with enable.idempotence on and off, same broker,
    same run, alternating, best of 3 each, reported as a ratio.

    python -m benchmarks.real_broker [--messages 50000] [--size 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from idemlab import scenarios
from idemlab.kafka import clusters
from idemlab.kafka.cost import compare
from idemlab.kafka.launcher import LocalCluster
from idemlab.kafka.runner import run_on_kafka


def lost_ack_seconds(runs: int = 5) -> list[float]:
    scenario = scenarios.apply_overrides(scenarios.load("lost-ack"), [("enable.idempotence", True)])
    run_on_kafka(scenario, "local")  # warm-up: the first InitProducerId after start is refused once
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        trace = run_on_kafka(scenario, "local")
        times.append(time.perf_counter() - started)
        assert [r.value for r in trace.stored] == ["m1", "m2", "m3"], trace.stored
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--size", type=int, default=100)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with LocalCluster.start(broker_config=clusters.SHARED_BROKER_CONFIG) as cluster:
        clusters.SHARED.use(cluster)
        times = lost_ack_seconds()
        print(
            f"(b) lost-ack scenario on the real broker, end to end: median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)"
        )
        cost = compare(cluster.bootstrap, args.messages, args.size, rounds=3)
        print(
            f"(d) {args.messages} x {args.size} B, best of 3: idempotence off {cost['off_per_s']:,.0f} msg/s, "
            f"on {cost['on_per_s']:,.0f} msg/s, ratio on/off {cost['ratio']:.2f}"
        )
        clusters.SHARED.use(None)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
