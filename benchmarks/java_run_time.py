"""How long one real-broker run takes with each client, the Java client's JVM start
included (a fresh JVM per run, as the lab runs it), on the same local broker.

    python benchmarks/java_run_time.py [RUNS]

Prints the median wall time of lost-ack (idempotence on) per client and the load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from idemlab import backends, scenarios
from idemlab.kafka import clusters
from idemlab.kafka.launcher import LocalCluster


def main(runs: int) -> None:
    cluster = LocalCluster.start(brokers=1)
    clusters.SHARED.use(cluster)
    try:
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
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        clusters.SHARED.use(None)
        cluster.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
