"""Seconds from LocalCluster.start() to a ready single-node broker, jars already cached.

    python benchmarks/broker_cold_start.py [--runs 3] [--variant default|no-cds|plain-jvm]

Each run formats fresh storage and starts a new JVM; the figure is the median.
Variants show what the start-up options buy: `no-cds` drops the class-data archive,
`plain-jvm` also drops the C1-only JIT and the serial collector.
The load average is printed too: on a shared machine it moves the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from idemlab.kafka import launcher
from idemlab.kafka.jars import kafka_classpath
from idemlab.kafka.launcher import LocalCluster


def apply_variant(variant: str) -> None:
    if variant in ("no-cds", "plain-jvm"):
        launcher.LocalCluster._cds_options = lambda self, node, dump: []
    if variant == "plain-jvm":
        slimmed = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"}
        launcher.JVM_OPTIONS = [option for option in launcher.JVM_OPTIONS if option not in slimmed]


def time_start() -> float:
    began = time.perf_counter()
    cluster = LocalCluster.start(brokers=1)
    ready = time.perf_counter() - began
    cluster.close()
    return ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variant", choices=("default", "no-cds", "plain-jvm"), default="default")
    args = parser.parse_args()

    kafka_classpath()  # download outside the measurement
    apply_variant(args.variant)
    time_start()  # warm-up, not measured: page cache, and the class-data archive if none yet
    samples = [time_start() for _ in range(args.runs)]
    load = os.getloadavg()[0]
    print(f"runs: {', '.join(f'{s:.2f}' for s in samples)} s (load average {load:.1f}, {os.cpu_count()} cores)")
    print(f"broker cold start ({args.variant}), median of {args.runs}: {statistics.median(samples):.2f} s")


if __name__ == "__main__":
    main()
