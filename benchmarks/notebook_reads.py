"""What reading the real broker's notebook after each decision costs a run.

The lost-ack scenario (idempotence on) on one local broker, end to end through the fault
proxy, with the reads (the default for a run of up to 200 messages) and without them,
alternating on the same broker; medians of the wall times, and how many reads a run made.

    python -m benchmarks.notebook_reads [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from idemlab import scenarios
from idemlab.kafka import clusters
from idemlab.kafka.launcher import LocalCluster
from idemlab.kafka.runner import RealRun
from idemlab.model import PRODUCER_STATE


class RunWithoutReads(RealRun):
    def _start_reads(self) -> None:
        pass  # only the reads after a broker action, as for a run above the bound


def timed(run_class: type[RealRun], scenario) -> tuple[float, int]:
    started = time.perf_counter()
    trace = run_class(scenario, "local", None, None).run()
    seconds = time.perf_counter() - started
    assert trace.run_error is None and [r.value for r in trace.stored] == ["m1", "m2", "m3"], trace
    return seconds, sum(1 for e in trace.events if e.kind == PRODUCER_STATE)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    scenario = scenarios.apply_overrides(scenarios.load("lost-ack"), [("enable.idempotence", True)])
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with LocalCluster.start(broker_config=clusters.SHARED_BROKER_CONFIG) as cluster:
        clusters.SHARED.use(cluster)
        timed(RealRun, scenario)  # warm-up: the first InitProducerId after start is refused once
        with_reads, without, reads = [], [], []
        for _ in range(args.runs):
            seconds, count = timed(RealRun, scenario)
            with_reads.append(seconds)
            reads.append(count)
            without.append(timed(RunWithoutReads, scenario)[0])
        clusters.SHARED.use(None)
    print(
        f"lost-ack on the real broker, median of {args.runs} alternating runs: "
        f"with the notebook read after each decision {statistics.median(with_reads):.3f} s "
        f"({statistics.median(reads):.0f} reads a run), without {statistics.median(without):.3f} s "
        f"(difference {statistics.median(with_reads) - statistics.median(without):+.3f} s)"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
