"""Very large simulated runs count their per-message events instead of tracing them, and
say the same about the run as a fully traced one (memory: benchmarks/cli_memory.py)."""

import json

import pytest

from idemlab import __main__ as cli
from idemlab import scenarios, sim
from idemlab.outcome import summarize

COMPARED = ("sent", "stored", "duplicates", "lost", "reordered", "delivered_ok", "delivery_failed", "errors")


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("lost-ack", []),
        ("reorder", []),
        ("reorder-one-in-flight", []),
        ("message-too-large", []),
        ("app-resend", []),
        ("cross-partition-duplicate", []),
        ("lost-ack", [("enable.idempotence", True)]),
    ],
)
def test_a_counted_run_says_what_a_traced_run_says(name, overrides):
    scenario = scenarios.apply_overrides(scenarios.load(name), overrides)
    traced = summarize(sim.run(scenario))
    counted = summarize(sim.run(scenario, record_messages=False))
    assert {k: getattr(counted, k) for k in COMPARED} == {k: getattr(traced, k) for k in COMPARED}
    assert counted.duplicate_msgs == traced.duplicate_msgs
    assert not counted.per_message


def test_the_command_line_counts_above_the_threshold_and_says_so(monkeypatch, capsys):
    monkeypatch.setattr(cli, "SUMMARISE_ABOVE", 2)
    assert cli.main(["run", "lost-ack", "--json", "--trace"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert "counted rather than kept" in err
    assert data["message_counts"]["produce"] == 3
    assert data["deliveries"] == [] and data["duplicates"] == 1
    assert not any(e["kind"] in ("produce", "delivery") for e in data["events"])
    assert data["summary"].startswith("3 produced, 3 acknowledged, 4 stored, 1 duplicate")


def test_the_terminal_account_of_a_counted_run_names_batches_by_size(monkeypatch, capsys):
    monkeypatch.setattr(cli, "SUMMARISE_ABOVE", 2)
    assert cli.main(["run", "lost-ack"]) == 0
    assert "[1 record]" in capsys.readouterr().out
