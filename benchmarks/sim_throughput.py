"""Simulator speed: messages per second with 5 % random faults, idempotence on and off;
peak memory of a 1,000,000-message run; time of every lesson scenario.

    python benchmarks/sim_throughput.py [--messages 100000] [--big 1000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from idemlab import scenarios, sim
from idemlab.outcome import summarize

# 5 % of produce requests hit a fault, spread over the four kinds that cause retries.
FAULTS = [
    {"request": "produce", "probability": 0.0125, "seed": seed, "action": action, **extra}
    for seed, (action, extra) in enumerate(
        [("drop_response", {}), ("drop_request", {}), ("disconnect", {}), ("error", {"error": "NOT_ENOUGH_REPLICAS"})],
        start=11,
    )
]


def bulk_scenario(messages: int, idempotent: bool, per_step: int = 1000):
    steps = []
    for start in range(0, messages, per_step):
        steps.append({"send": [f"v{i}" for i in range(start, min(start + per_step, messages))]})
        steps.append({"wait_ms": 10})
    data = {
        "title": "bulk",
        "partitions": 3,
        "producer": {
            "enable.idempotence": idempotent,
            "batch.num.messages": 100,
            "max.in.flight.requests.per.connection": 5,
        },
        "step": steps,
        "fault": FAULTS,
    }
    return scenarios.from_dict(data, source="<benchmark>")


def throughput(messages: int, idempotent: bool) -> tuple[float, str]:
    scenario = bulk_scenario(messages, idempotent)
    started = time.perf_counter()
    trace = sim.run(scenario)
    elapsed = time.perf_counter() - started
    return messages / elapsed, summarize(trace).sentence()


def peak_memory_child(messages: int) -> None:
    scenario = bulk_scenario(messages, True)
    trace = sim.run(scenario, record_messages=False)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(trace.stored)} {len(trace.events)} {peak_mb:.0f}")


def lesson_timings() -> dict[str, float]:
    out = {}
    for name in scenarios.available():
        scenario = scenarios.load(name)
        runs = []
        for _ in range(20):
            started = time.perf_counter()
            sim.run(scenario)
            runs.append((time.perf_counter() - started) * 1000)
        out[name] = max(runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child:
        peak_memory_child(args.child)
        return
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for idempotent in (True, False):
        rate, sentence = throughput(args.messages, idempotent)
        print(
            f"{args.messages} messages, 5% faulty requests, idempotence {'on ' if idempotent else 'off'}: "
            f"{rate:,.0f} simulated messages/s  ({sentence})"
        )
    if args.big:
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(args.big)], capture_output=True, text=True, check=True
        ).stdout.split()
        print(
            f"{args.big} messages, idempotence on, per-message events left out: {float(out[2]):.0f} MB "
            f"peak RSS ({out[0]} stored, {out[1]} request-level events, {time.perf_counter() - started:.1f} s)"
        )
    timings = lesson_timings()
    worst = max(timings, key=timings.get)
    print(
        f"lesson scenarios: slowest {worst} {timings[worst]:.1f} ms (max of 20 runs); "
        f"median of maxima {statistics.median(timings.values()):.1f} ms"
    )


if __name__ == "__main__":
    main()
