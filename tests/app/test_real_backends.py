"""Real back ends in the app, with idemlab.backends replaced by a fake that behaves like
one (runs in its worker thread, reports events, takes a moment): the pages call
backends.run with the chosen back end, show progress, keep results per learner, turn
BackendUnavailable into a message with a way back to the simulator, and fill lesson 7's
live cost figure."""

import dataclasses
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from idemlab import backends
from idemlab.kafka import cost
from idemlab.sim import run as sim_run

APP = str(Path(__file__).resolve().parents[2] / "app.py")


class FakeBroker:
    def __init__(self, unavailable: str | None = None):
        self.calls: list[tuple[str, str]] = []
        self.unavailable = unavailable
        self.seen_events = 0

    def run(self, scenario, backend="sim", *, on_event=None, client_config=None):
        if backend == "sim":
            return sim_run(scenario)
        self.calls.append((scenario.name, backend))
        if self.unavailable:
            raise backends.BackendUnavailable(self.unavailable)
        trace = sim_run(scenario)
        for event in trace.events:
            on_event(event)
            self.seen_events += 1
        return dataclasses.replace(trace, backend=backend)

    def status(self, backend):
        if self.unavailable:
            return "unavailable", self.unavailable
        return "ready", f"Fake {backend}: ready at 127.0.0.1:1."


@pytest.fixture
def fake(monkeypatch):
    broker = FakeBroker()
    monkeypatch.setattr(backends, "run", broker.run)
    monkeypatch.setattr(backends, "status", broker.status)
    return broker


def on_local(open_page, page, **params) -> AppTest:
    at = open_page(page, **params)
    at.sidebar.radio(key="backend.choice").set_value("Local Kafka").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_playground_runs_on_local_kafka_when_asked_and_keeps_the_result(open_page, fake, frame_with):
    at = on_local(open_page, "pages/playground.py", scenario="lost-ack", idem="0")
    assert fake.calls == []  # a real run starts only on request
    button(at, "Run on Local Kafka").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert fake.calls == [("lost-ack", "local")]
    checks = list(frame_with(at, "check")["check"])
    assert any(c.startswith("DUPLICATE") for c in checks)
    assert set(frame_with(at, "check")["sequence"]) == {"-1 (none)"}
    assert "Local Kafka" in captions(at)
    at.run()  # a rerun (stepping is in the browser now) keeps the run, does not repeat it
    assert fake.calls == [("lost-ack", "local")]


def test_real_results_belong_to_one_learner(open_page, fake):
    first = on_local(open_page, "pages/playground.py", scenario="lost-ack", idem="0")
    button(first, "Run on Local Kafka").click().run()
    second = on_local(open_page, "pages/playground.py", scenario="lost-ack", idem="0")
    assert any(b.label == "Run on Local Kafka" for b in second.button)  # nothing shared
    assert len(fake.calls) == 1


def test_an_unavailable_back_end_shows_its_message_and_a_way_back(open_page, monkeypatch, frame_with):
    broker = FakeBroker(unavailable="No Java found: install a JDK 17+ or set JAVA_HOME.")
    monkeypatch.setattr(backends, "run", broker.run)
    monkeypatch.setattr(backends, "status", lambda backend: ("starting", "starts on the first run"))
    at = on_local(open_page, "pages/playground.py", scenario="lost-ack", idem="0")
    button(at, "Run on Local Kafka").click().run()
    assert not at.exception
    assert any("No Java found" in e.value for e in at.error)
    button(at, "Use the simulated broker instead").click().run()
    assert at.sidebar.radio(key="backend.choice").value == "Simulated"
    assert any(c.startswith("DUPLICATE") for c in frame_with(at, "check")["check"])


def test_a_lesson_runs_its_experiment_on_the_chosen_back_end(open_page, fake):
    at = on_local(open_page, "pages/lesson.py")
    radio = at.radio(key="lesson.1.p")
    radio.set_value(radio.options[1]).run()
    assert fake.calls == []
    button(at, "Run the experiment").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(fake.calls) == 1 and fake.calls[0][1] == "local"
    assert "Local Kafka" in captions(at)
    assert any(s.value.startswith(("Right.", "Not quite")) for s in list(at.success) + list(at.error))


def test_wire_inspector_prompts_then_runs_the_chosen_scenario(open_page, frame_with):
    at = open_page("pages/wire.py")
    assert any("No run yet" in i.value for i in at.info)
    at.button(key="wire.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    wire = frame_with(at, "base seq")
    assert {"api", "request", "PID", "epoch", "base seq", "records", "error", "offset", "fault"} <= set(wire.columns)
    assert any(f.startswith("⚠ FAULT") for f in wire["fault"])
    assert "simulated broker" in captions(at)
    assert any(c.startswith("DUPLICATE") for c in frame_with(at, "check")["check"])


def test_wire_inspector_shows_the_current_playground_run_and_filters_it(open_page, fake, frame_with):
    at = on_local(open_page, "pages/playground.py", scenario="lost-ack", idem="1")
    button(at, "Run on Local Kafka").click().run()
    at.switch_page("pages/wire.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Local Kafka" in captions(at)
    wire = frame_with(at, "base seq")
    assert "InitProducerId" in set(wire["api"]) and "duplicate" in " ".join(wire["what happened"]).lower()
    at.multiselect(key="wire.apis").set_value(["Produce"]).run()
    assert set(frame_with(at, "base seq")["api"]) == {"Produce"}
    at.segmented_control(key="wire.faults").set_value("only faults").run()
    assert all(f.startswith("⚠ FAULT") for f in frame_with(at, "base seq")["fault"])
    assert len(fake.calls) == 1


def cost_lesson(open_page) -> AppTest:
    return open_page("pages/lesson.py", lesson="what-it-costs")


def experiment_text(at) -> str:
    """The lesson's text as a reader sees it (glossary terms are marked up inline)."""
    texts = [re.sub(r"<abbr [^>]*>([^<]*)</abbr>", r"\1", m.value) for m in at.markdown]
    return " ".join(t for t in texts if "Measured on a real broker" in t)


def test_lesson_7_without_a_real_broker_quotes_the_recorded_figure(open_page, monkeypatch):
    monkeypatch.setattr(cost, "MEASURED", {**cost.MEASURED, "ratio": None})
    at = cost_lesson(open_page)
    text = experiment_text(at)
    assert "not measured yet" in text and "{{" not in text
    assert not any(b.label == "Measure on the real broker" for b in at.button)


def test_lesson_7_quotes_the_recorded_figure_with_its_machine(open_page, monkeypatch):
    monkeypatch.setattr(
        cost,
        "MEASURED",
        {**cost.MEASURED, "off_per_s": 80_000.0, "on_per_s": 76_000.0, "ratio": 0.95, "machine": "a test machine"},
    )
    text = experiment_text(cost_lesson(open_page))
    assert "0.95×" in text and "a test machine" in text


def test_lesson_7_measures_on_the_real_broker(open_page, fake, monkeypatch):
    monkeypatch.setattr(
        cost,
        "compare",
        lambda bootstrap, messages=20000, size=100, rounds=1: {
            "messages": messages,
            "size": size,
            "off_per_s": 50_000.0,
            "on_per_s": 45_000.0,
            "ratio": 0.9,
        },
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lesson"] = "what-it-costs"
    monkeypatch.setenv("IDEMLAB_CLUSTERS", "127.0.0.1:9092")  # operator-listed (backend_picker)
    at.session_state["backend.choice"] = "Existing cluster"
    at.run()
    at.switch_page("pages/lesson.py").run()
    assert not at.exception, [e.value for e in at.exception]
    button(at, "Measure on the real broker").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = experiment_text(at)
    assert "0.90×" in text and "45,000" in text and "127.0.0.1:9092" in text
