"""idemlab.repeat: the distribution of outcomes over N runs, and `run --repeat N`."""

from __future__ import annotations

import json

import pytest

from idemlab import repeat, scenarios, sim
from idemlab.__main__ import main
from idemlab.model import StoredRecord, Trace


def test_the_simulator_gives_one_stored_log_every_time():
    dist = repeat.repeat(scenarios.load("reorder-one-in-flight"), "sim", 3)
    assert dist.deterministic and len(dist.variants) == 1 and dist.variants[0].count == 3
    assert [v for _, v in dist.variants[0].values] == ["m1", "m3", "m2", "m4"]
    assert [r.reordered for r in dist.runs] == [1, 1, 1]
    assert "the same stored log every time" in dist.sentence()


def _trace_with(values):
    stored = [StoredRecord(0, i, v, None, -1, -1, -1, msg=n) for i, (n, v) in enumerate(values)]
    trace = sim.run(scenarios.load("happy-path"))
    return Trace(**{**trace.__dict__, "stored": stored})


def test_a_race_shows_every_distinct_log_with_its_count():
    logs = iter([[(1, "m1"), (2, "m2")], [(1, "m1"), (2, "m2"), (2, "m2")], [(1, "m1"), (2, "m2")]])
    dist = repeat.repeat(scenarios.load("happy-path"), "sim", 3, run=lambda s, b: _trace_with(next(logs)))
    assert not dist.deterministic
    assert [(len(v.values), v.count) for v in dist.variants] == [(2, 2), (3, 1)]
    assert [r.variant for r in dist.runs] == [0, 1, 0]
    assert dist.count_range("stored") == (2, 3)
    assert "2 or 3 records stored" in dist.sentence()


def test_runs_are_bounded():
    with pytest.raises(ValueError):
        repeat.repeat(scenarios.load("happy-path"), "sim", 0)


def test_a_scenario_may_say_its_real_outcome_varies():
    scenario = scenarios.parse('title = "x"\n[real_broker]\nracy = "9 or 10 records"\n')
    assert scenarios.racy_note(scenario) == "9 or 10 records"
    assert repeat.repeat(scenario, "sim", 1).racy_note == "9 or 10 records"
    with pytest.raises(scenarios.ScenarioError, match=r"real_broker\.colour"):
        scenarios.parse('title = "x"\n[real_broker]\ncolour = "red"\n')


def test_the_command_line_prints_the_distribution(capsys):
    assert main(["run", "reorder-one-in-flight", "--repeat", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["runs"] == 2 and out["deterministic"] and out["variants"][0]["count"] == 2
    assert main(["run", "reorder-one-in-flight", "--repeat", "2"]) == 0
    assert "#1 ×2: m1, m3, m2, m4" in capsys.readouterr().out
    assert main(["run", "happy-path", "--repeat", "0"]) == 2
