"""A full room on the class store: 300 learners x 60 answers, 40 learners at once, on 2
app processes (each running 20 learner sessions on threads, as Streamlit runs sessions),
through the store exactly as the app calls it (idemlab.classroom.crowd: join = look the
class up, send the answers so far in one action, read the summary; then one action per
answer).  Meanwhile one presenter per process polls the class's answers every 3 s.

Prints: answers acknowledged, stored and read back, lost (acknowledged but not read
back: must be 0), refused (with the sentence a learner saw), join p50/p95, answer
p50/p95, wall time, and the load average.  The store is the default SQLite file in a
temporary folder, or the Kafka store with --kafka HOST:PORT.

Run: python benchmarks/class_crowd.py [--learners 300] [--answers 60] [--at-once 40]
     [--processes 2] [--kafka 127.0.0.1:9092]
This measures the store's share of a join, not a browser's page load (that is
benchmarks/load_server.py); the load generator shares the machine's cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections import Counter

from idemlab import classroom
from idemlab.classroom import crowd


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _presenter(store, code: str, stop: threading.Event, reads: list[float]) -> None:
    while not stop.wait(3.0):
        started = time.perf_counter()
        store.answers(code)
        reads.append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--answers", type=int, default=60)
    parser.add_argument("--at-once", type=int, default=40)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--kafka", default="", help="bootstrap servers: use the Kafka store instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="idemlab-crowd-") as folder:
        if args.kafka:
            topic = f"idemlab-classes-bench-{os.getpid()}"
            settings = {"IDEMLAB_CLASS_STORE": "kafka", "IDEMLAB_CLASS_KAFKA": args.kafka, "IDEMLAB_CLASS_TOPIC": topic}
        else:
            settings = {"IDEMLAB_CLASS_DB": os.path.join(folder, "classes.sqlite3")}
        store = classroom.open_store(settings)
        code = store.open_class().code
        stop, reads = threading.Event(), []
        presenter = threading.Thread(target=_presenter, args=(store, code, stop, reads), daemon=True)
        presenter.start()
        started = time.perf_counter()
        result = crowd.run(settings, code, args.learners, args.answers, args.at_once, args.processes)
        wall = time.perf_counter() - started
        stop.set()
        lost = crowd.lost(store, code, result)
        stored = crowd.stored_answers(store, code)
        store.close()
    expected = args.learners * args.answers
    print(
        f"class crowd on {store.describe().split(' ')[0]}: {args.learners} learners x {args.answers} answers, "
        f"{args.at_once} at once on {args.processes} processes"
    )
    print(f"  answers: {len(result.acknowledged)} of {expected} acknowledged, {stored} stored, {len(lost)} lost")
    refused = Counter(result.errors)
    print(f"  refused actions: {sum(refused.values())}" + "".join(f"\n    {n} x {text}" for text, n in refused.items()))
    print(
        f"  join p50 {percentile(result.join_s, 0.5):.3f} s, p95 {percentile(result.join_s, 0.95):.3f} s "
        f"({len(result.join_s)} joins)"
    )
    print(
        f"  answer p50 {percentile(result.answer_s, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(result.answer_s, 0.95) * 1000:.1f} ms, max {max(result.answer_s, default=0):.2f} s"
    )
    if reads:
        print(f"  presenter's read of the whole class: median {statistics.median(reads) * 1000:.0f} ms")
    print(f"  wall {wall:.1f} s ({len(result.acknowledged) / wall:.0f} answers/s); load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
