"""Racy outcomes in the app: on a real back end the learner can run a scenario ten times
and see how the stored log varies; on the simulator a known race says so."""

import dataclasses
import itertools

import pytest

from idemlab import backends
from idemlab.model import StoredRecord
from idemlab.sim import run as sim_run


@pytest.fixture
def racy_broker(monkeypatch):
    """A stand-in for a real broker whose stored log alternates between two outcomes, as
    lost-request-race does on Kafka 4.4 (idemlab.repeat runs it through backends.run)."""
    turns = itertools.count()

    def run(scenario, backend="sim", *, on_event=None, client_config=None):
        trace = sim_run(scenario)
        if backend == "sim":
            return trace
        if next(turns) % 2:
            extra = StoredRecord(0, len(trace.stored), "m3", None, -1, -1, -1, 3)
            trace = dataclasses.replace(trace, stored=[*trace.stored, extra])
        return dataclasses.replace(trace, backend=backend)

    monkeypatch.setattr(backends, "run", run)
    monkeypatch.setattr(backends, "status", lambda backend: ("ready", "ready"))


def test_a_known_race_says_so_on_the_simulator(open_page):
    at = open_page("pages/playground.py", scenario="lost-request-race")
    assert any("On a real broker this one is a race" in e.value for e in at.info)


def test_ten_real_runs_show_how_many_different_logs_came_out(open_page, racy_broker):
    at = open_page("pages/playground.py", scenario="lost-request-race")
    at.sidebar.radio(key="backend.choice").set_value("Local Kafka").run()
    at.button(key="pg.run_real").click().run()
    at.button(key="pg.repeat.button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(e.value for e in at.markdown)
    assert "10 runs on the real broker" in text and "2 different stored logs" in text
    table = next(e.value for e in at.dataframe if "the simulator's answer" in e.value.columns)
    assert sorted(table["runs"]) == ["5 of 10", "5 of 10"]
    assert list(table["the simulator's answer"]).count("yes") == 1
