"""`python -m idemlab run … --json` for 100,000 messages against the standard library
doing the least the command must do: read the same scenario TOML (tomllib) and write the
same JSON document, compact, with json.dumps (the C encoder; json.dump goes through the
pure-Python encoder, five times slower, and is timed with --with-dump for information).
Both run in a subprocess with stdout to /dev/null, so interpreter start-up counts on
both sides; the runs alternate, so both see the same machine load.  Prints both
medians, their ratio, each side's peak RSS and the load average.

    python benchmarks/cli_json.py [--messages 100000] [--rounds 7] [--trace] [--with-dump] [--before REV]

--before REV also times the CLI of an earlier commit (its idemlab/ taken with git archive)
alongside, in the same rounds, to tell a slower version from a busier machine.

The scenario is sim_throughput.py's bulk run (steps of 1000 sends and a 10 ms wait, 3
partitions, batches of 100, 5 in flight, idempotence on) without the random faults, and
each step names its partition: the stored log then follows from the TOML alone, so the
baseline can write exactly the records the CLI writes, and the script checks it does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTITIONS = 3

# The baseline: read the TOML, write the document.  The few small fields that need the
# simulator's words (config, summary) come from a reference run, in a small JSON file.
BASELINE = r"""
import json, sys, tomllib
with open(sys.argv[1], "rb") as handle:
    scenario = tomllib.load(handle)
with open(sys.argv[2], encoding="utf-8") as handle:
    doc = json.load(handle)
next_offset = [0] * scenario["partitions"]
stored, deliveries = [], []
for step in scenario["step"]:
    if "send" not in step:
        continue
    p = step["partition"]
    for value in step["send"]:
        offset = next_offset[p]
        next_offset[p] += 1
        stored.append((p, offset, value))
        deliveries.append({"value": value, "partition": p, "error": None, "offset": offset})
stored.sort(key=lambda r: r[0])
doc["stored"] = [
    {"partition": p, "offset": o, "key": None, "value": v, "producer_id": 0, "producer_epoch": 0, "sequence": o}
    for p, o, v in stored
]
doc["deliveries"] = deliveries
if sys.argv[3] == "dumps":
    sys.stdout.write(json.dumps(doc, separators=(",", ":")))
else:  # json.dump encodes through the pure-Python iterencode, chunk by chunk
    json.dump(doc, sys.stdout, separators=(",", ":"))
"""


def write_scenario(path: Path, messages: int, per_step: int = 1000) -> None:
    lines = [
        'title = "bulk JSON"',
        f"partitions = {PARTITIONS}",
        "[producer]",
        '"enable.idempotence" = true',
        '"batch.num.messages" = 100',
        '"max.in.flight.requests.per.connection" = 5',
    ]
    for n, start in enumerate(range(0, messages, per_step)):
        values = ", ".join(f'"v{i}"' for i in range(start, min(start + per_step, messages)))
        lines += ["[[step]]", f"partition = {n % PARTITIONS}", f"send = [{values}]", "[[step]]", "wait_ms = 10"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child, stdout
    to /dev/null.  On a busy machine the CPU seconds wander less than the wall seconds."""
    with open(os.devnull, "w") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=sink, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{command} exited {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def check_same_document(cli: list[str], baseline: list[str]) -> None:
    """One untimed run of each: the reference document, and the proof of "same records"."""
    reference = json.loads(subprocess.run(cli, capture_output=True, check=True, cwd=ROOT).stdout)
    Path(baseline[4]).write_text(json.dumps({k: v for k, v in reference.items() if k not in ("stored", "deliveries")}))
    written = json.loads(subprocess.run(baseline, capture_output=True, check=True, cwd=ROOT).stdout)
    if written != reference:
        raise SystemExit("the baseline does not write the CLI's document; fix the benchmark")
    print(f"scenario: {len(reference['deliveries']):,} messages, {len(reference['stored']):,} stored, same document")


def main() -> None:
    if sys.argv[1:2] == ["--check"]:
        split = sys.argv.index("--")
        check_same_document(sys.argv[2:split], sys.argv[split + 1 :])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--with-dump", action="store_true", help="also time the json.dump baseline (for information)")
    parser.add_argument("--trace", action="store_true", help="also time the CLI with --trace (for information)")
    parser.add_argument("--before", metavar="REV", help="also time the CLI of this earlier commit, alongside")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        scenario, meta = Path(tmp) / "bulk.toml", Path(tmp) / "meta.json"
        write_scenario(scenario, args.messages)
        cli = [sys.executable, "-m", "idemlab", "run", str(scenario), "--json"]
        baseline = [sys.executable, "-c", BASELINE, str(scenario), str(meta), "dumps"]
        slow_baseline = [*baseline[:-1], "dump"]

        # In a child of its own: a parent's memory would count in its later children's peak
        # RSS (Linux carries the high-water mark across fork and exec).
        check = [sys.executable, __file__, "--check", *cli, "--", *baseline]
        print(subprocess.run(check, capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip())

        earlier = Path(tmp) / "earlier"
        if args.before:
            # `python -m` puts the working directory first on sys.path: run there, it imports that idemlab
            earlier.mkdir()
            archive = subprocess.run(
                ["git", "archive", args.before, "idemlab"], capture_output=True, check=True, cwd=ROOT
            )
            subprocess.run(["tar", "-x", "-C", str(earlier)], input=archive.stdout, check=True)

        load_before = os.getloadavg()[0]
        runs: dict[str, list[tuple[float, float, float]]] = {
            "cli": [],
            "baseline": [],
            "json.dump": [],
            "cli --trace": [],
            "cli before": [],
        }
        for _ in range(args.rounds):
            runs["baseline"].append(timed(baseline))
            runs["cli"].append(timed(cli))
            if args.with_dump:
                runs["json.dump"].append(timed(slow_baseline))
            if args.trace:
                runs["cli --trace"].append(timed([*cli, "--trace"]))
            if args.before:
                runs["cli before"].append(timed(cli, cwd=earlier))
        load_after = os.getloadavg()[0]

    runs = {side: results for side, results in runs.items() if results}
    medians = {side: statistics.median(t for t, _, _ in results) for side, results in runs.items()}
    peaks = {side: max(m for _, m, _ in results) for side, results in runs.items()}
    cpu = {side: statistics.median(c for _, _, c in results) for side, results in runs.items()}
    labels = {
        "cli": "python -m idemlab run FILE --json",
        "baseline": "tomllib + json.dumps",
        "json.dump": "tomllib + json.dump (information)",
        "cli --trace": "… --json --trace (information)",
        "cli before": f"the same CLI at {args.before}"[:38],
    }
    for side, label in labels.items():
        if side not in runs:
            continue
        times = sorted(t for t, _, _ in runs[side])
        print(
            f"{label:38s} median {medians[side]:.2f} s (min {times[0]:.2f}, max {times[-1]:.2f}, "
            f"{args.rounds} runs), CPU {cpu[side]:.2f} s, peak RSS {peaks[side]:.0f} MB"
        )
    print(
        f"ratio CLI / baseline: {medians['cli'] / medians['baseline']:.2f} (target <= 2.5; CPU seconds "
        f"{cpu['cli'] / cpu['baseline']:.2f}); load average {load_before:.2f} before, {load_after:.2f} after"
    )
    if args.before:
        before = f"ratio CLI at {args.before} / baseline: {medians['cli before'] / medians['baseline']:.2f}"
        print(f"{before} (CPU seconds {cpu['cli before'] / cpu['baseline']:.2f})")


if __name__ == "__main__":
    main()
