"""Run one scenario N times on a back end and say how much the outcome varies.

On the simulator every run is the same (it is deterministic). On a real broker some
scenarios are races: which request the client builds first, whether an answer arrives
before the next request leaves. `repeat(scenario, "local", 10)` shows the distribution
of stored logs, and per run how many duplicates, reorders and losses it had.

Pure engine code: no Streamlit, no printing (`text()` and `to_dict()` format it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from idemlab import backends
from idemlab.model import Scenario, Trace
from idemlab.outcome import Outcome, summarize

MAX_RUNS = 100


@dataclass(frozen=True)
class StoredLogVariant:
    """One distinct stored log and how many of the runs ended with it."""

    values: tuple[tuple[int, str], ...]  # (partition, value) in log order
    count: int
    first_run: int  # 0-based index of the first run that stored it


@dataclass(frozen=True)
class RunSummary:
    run: int
    stored: int
    duplicates: int
    reordered: int
    lost: int
    fatal_error: str | None
    run_error: str | None
    variant: int  # index into Distribution.variants


@dataclass(frozen=True)
class Distribution:
    scenario: str
    backend: str
    runs: tuple[RunSummary, ...]
    variants: tuple[StoredLogVariant, ...]  # most frequent first
    outcomes: tuple[Outcome, ...]
    racy_note: str = ""  # the scenario's own `[real_broker] racy` note, if any

    @property
    def deterministic(self) -> bool:
        """Every run stored the same log (and none stopped early)."""
        return len(self.variants) == 1 and not any(r.run_error for r in self.runs)

    def count_range(self, field: str) -> tuple[int, int]:
        """(min, max) of a per-run count: "stored", "duplicates", "reordered" or "lost"."""
        values = [getattr(r, field) for r in self.runs]
        return (min(values), max(values)) if values else (0, 0)

    def sentence(self) -> str:
        n = len(self.runs)
        if not n:
            return "No runs."
        if self.deterministic:
            return f"{n} run(s) on {self.backend}: the same stored log every time."
        low, high = self.count_range("stored")
        stored = f"{low}" if low == high else f"{low} or {high}" if high == low + 1 else f"{low} to {high}"
        return (
            f"{n} runs on {self.backend}: {len(self.variants)} different stored logs; "
            f"{stored} records stored; duplicates {_span(self.count_range('duplicates'))}, "
            f"reordered {_span(self.count_range('reordered'))}, lost {_span(self.count_range('lost'))}."
        )


def _span(pair: tuple[int, int]) -> str:
    low, high = pair
    return str(low) if low == high else f"{low}–{high}"


def log_key(trace: Trace) -> tuple[tuple[int, str], ...]:
    return tuple((r.partition, r.value) for r in trace.stored)


def repeat(
    scenario: Scenario,
    backend: str = backends.SIM,
    runs: int = 10,
    *,
    run: Callable[[Scenario, str], Trace] | None = None,
    on_run: Callable[[int, Trace], None] | None = None,
) -> Distribution:
    """Run `scenario` `runs` times on `backend` (each real run uses a fresh topic) and
    return the distribution of outcomes. `run` replaces backends.run (for tests);
    `on_run(i, trace)` is called after each run (for progress)."""
    if not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be between 1 and {MAX_RUNS}, not {runs}")
    backend = backends.check_name(backend)
    runner = run or (lambda s, b: backends.run(s, b))
    keys: list[tuple[tuple[int, str], ...]] = []
    outcomes: list[Outcome] = []
    fatal: list[str | None] = []
    for i in range(runs):
        trace = runner(scenario, backend)
        keys.append(log_key(trace))
        outcomes.append(summarize(trace))
        fatal.append(trace.fatal_error)
        if on_run:
            on_run(i, trace)
    counts = Counter(keys)
    first = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    ordered = sorted(counts, key=lambda k: (-counts[k], first[k]))
    variants = tuple(StoredLogVariant(k, counts[k], first[k]) for k in ordered)
    index = {k: i for i, k in enumerate(ordered)}
    summaries = tuple(
        RunSummary(
            run=i,
            stored=o.stored,
            duplicates=o.duplicates,
            reordered=o.reordered,
            lost=o.lost,
            fatal_error=fatal[i],
            run_error=o.run_error,
            variant=index[keys[i]],
        )
        for i, o in enumerate(outcomes)
    )
    from idemlab.scenarios import racy_note

    return Distribution(scenario.name, backend, summaries, variants, tuple(outcomes), racy_note(scenario))


def to_dict(dist: Distribution) -> dict:
    """Plain JSON values (for --json and for views)."""
    return {
        "scenario": dist.scenario,
        "backend": dist.backend,
        "runs": len(dist.runs),
        "deterministic": dist.deterministic,
        "racy_note": dist.racy_note or None,
        "summary": dist.sentence(),
        "variants": [
            {"stored_values": [v for _, v in var.values], "partitions": [p for p, _ in var.values], "count": var.count}
            for var in dist.variants
        ],
        "per_run": [
            {
                "run": r.run + 1,
                "variant": r.variant + 1,
                "stored": r.stored,
                "duplicates": r.duplicates,
                "reordered": r.reordered,
                "lost": r.lost,
                "fatal_error": r.fatal_error,
                "run_error": r.run_error,
            }
            for r in dist.runs
        ],
    }


def text(dist: Distribution) -> str:
    """The distribution for a terminal."""
    lines = [f"Scenario {dist.scenario}, {len(dist.runs)} run(s) on back end {dist.backend}", dist.sentence()]
    if dist.racy_note:
        lines.append(f"Known race on a real broker: {dist.racy_note}")
    lines.append("Distinct stored logs:")
    for i, var in enumerate(dist.variants, 1):
        values = ", ".join(v if p == 0 else f"{v}@p{p}" for p, v in var.values) or "(empty)"
        lines.append(f"  #{i} ×{var.count}: {values}")
    lines.append("Per run:")
    for r in dist.runs:
        line = (
            f"  run {r.run + 1:3d}: log #{r.variant + 1}, {r.stored} stored, {r.duplicates} duplicates, "
            f"{r.reordered} reordered, {r.lost} lost"
        )
        if r.fatal_error:
            line += f", fatal: {r.fatal_error.split(':')[0]}"
        if r.run_error:
            line += f", stopped early: {r.run_error}"
        lines.append(line)
    return "\n".join(lines)
