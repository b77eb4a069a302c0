"""The operator decides what learners may use (issue 11): listed clusters only, nothing
connects before a run, back ends restricted by IDEMLAB_BACKENDS, link values held to
the controls' ranges with a notice."""

from __future__ import annotations

import pytest

from idemlab import backends


@pytest.fixture
def no_connections(monkeypatch):
    """Any attempt to reach a real cluster is recorded (and fails)."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:1]))
        raise AssertionError("connected before a run")

    real_run = backends.run
    monkeypatch.setattr(backends, "status", refuse)
    monkeypatch.setattr(
        backends,
        "run",
        lambda scenario, backend="sim", **kw: real_run(scenario) if backend == "sim" else refuse(backend),
    )
    return attempts


def test_a_listed_cluster_is_offered_and_nothing_connects_before_a_run(open_page, monkeypatch, no_connections):
    monkeypatch.setenv("IDEMLAB_CLUSTERS", "Team cluster=10.9.8.7:9092")
    monkeypatch.delenv("IDEMLAB_BACKENDS", raising=False)
    at = open_page("pages/playground.py", scenario="lost-ack")
    radio = at.sidebar.radio(key="backend.choice")
    assert "Existing cluster" in radio.options
    radio.set_value("Existing cluster").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.sidebar.text_input, "a visitor can type a host"
    assert any("reached when you run" in s.value for s in at.sidebar.success)
    assert any(b.label == "Run on the cluster at 10.9.8.7:9092" for b in at.button)
    assert no_connections == []


def test_a_typed_host_in_session_state_is_never_used(monkeypatch, no_connections):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    monkeypatch.delenv("IDEMLAB_CLUSTERS", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scenario"] = "lost-ack"
    at.session_state["backend.choice"] = "Existing cluster"  # as an old session might hold
    at.session_state["backend.bootstrap"] = "evil.example:9092"
    at.run()
    at.switch_page("pages/playground.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Existing cluster" not in at.sidebar.radio(key="backend.choice").options
    assert not any("evil.example" in b.label for b in at.button)
    assert no_connections == []


def test_the_operator_can_offer_the_simulator_only(open_page, monkeypatch):
    monkeypatch.setenv("IDEMLAB_BACKENDS", "sim")
    monkeypatch.setenv("IDEMLAB_CLUSTERS", "127.0.0.1:9092")
    at = open_page("pages/playground.py", scenario="lost-ack")
    at.session_state["backend.choice"] = "Local Kafka"
    at.run()
    assert not at.exception
    assert len(at.sidebar.radio) == 0  # one choice: no picker
    assert not any(b.label.startswith("Run on") for b in at.button)  # the simulated run is shown at once


def test_a_link_beyond_the_controls_gets_the_usual_notice(open_page):
    at = open_page("pages/playground.py", scenario="blank", timeout="2147483647", fault="p1:drop_request")
    assert not at.exception
    notices = [w.value for w in at.warning]
    assert any("timeout" in n for n in notices) and any("fault" in n for n in notices)
