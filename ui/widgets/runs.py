"""The one door from the UI to the engine: run a scenario on a back end without ever
raising into a page.  Simulated runs are cached by scenario content (pure,
deterministic, the same for everyone); real runs take seconds, run in a worker thread
with a progress line (ui.live_run) and are kept per learner in st.session_state."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import streamlit as st

from idemlab import backends, producer_config, scenarios
from idemlab import lessons as lesson_module
from idemlab.client_names import in_client_names  # every view names a Java run's errors as Java does
from idemlab.model import Scenario, Trace
from ui.views import deeplink, safe
from ui.widgets import live_run

SIM = "sim"


@dataclass
class RunResult:
    trace: Trace | None
    error: str | None = None
    backend: str = SIM


def scenario_key(scenario: Scenario) -> str:
    return json.dumps({"name": scenario.name, **scenarios.to_dict(scenario)}, sort_keys=True, default=str)


# Bounded twice: by entries and by bytes.  What one entry can hold is bounded too: the
# app runs only scenarios within deeplink.room_problem's limits (200 messages, ...), and
# every simulated run within idemlab.sim.simulation.work_limits.
CACHE_MAX_ENTRIES = 128
CACHE_MAX_SIZE = "256MB"


@st.cache_data(max_entries=CACHE_MAX_ENTRIES, max_size=CACHE_MAX_SIZE, show_spinner=False)
def _simulate(key: str, _scenario: Scenario) -> Trace:
    return in_client_names(backends.run(_scenario, SIM))


def backend_label(backend: str) -> str:
    if backend == SIM:
        return "the simulated broker"
    if backend == backends.LOCAL:
        return "Local Kafka"
    return f"the cluster at {backend.removeprefix(backends.KAFKA_PREFIX)}"  # operator-listed, host:port only


def _failure(backend: str, exc: BaseException) -> RunResult:
    if isinstance(exc, (backends.BackendUnavailable, live_run.LabBusy)):
        return RunResult(None, str(exc), backend)  # the lab's own words; hosts are operator-listed host:port
    return RunResult(
        None, f"The run on {backend_label(backend)} failed: {type(exc).__name__}: {safe.md(exc, 600)}", backend
    )


def _real(scenario: Scenario, backend: str, key: str) -> RunResult:
    def work(count) -> RunResult:
        return RunResult(in_client_names(backends.run(scenario, backend, on_event=count)), None, backend)

    def describe(job: live_run.Job) -> str:
        title = safe.md(scenario.title or scenario.name, 80)
        if job.queue_position:
            return (
                f"Waiting to run “{title}” on {backend_label(backend)}: the lab runs at most "
                f"{live_run.max_runs()} real runs at a time; yours is number {job.queue_position} in the queue "
                f"· {job.elapsed:.0f} s"
            )
        return f"Running “{title}” on {backend_label(backend)}… {job.events} events seen · {job.elapsed:.0f} s"

    return live_run.run(key, work, describe, lambda exc: _failure(backend, exc))


def backend_status(backend: str) -> tuple[str, str]:
    if backend == SIM:
        return "ready", "Simulated broker: always ready, no set-up."
    if backend.startswith(backends.KAFKA_PREFIX):
        # Nothing connects before the learner asks for a run: the operator listed it.
        return "ready", f"{backend_label(backend)}, listed by this server's operator; reached when you run."
    return _status(backend)


def _status(backend: str) -> tuple[str, str]:
    try:
        return backends.status(backend)
    except (backends.BackendUnavailable, ValueError, OSError) as exc:
        return "unavailable", str(exc)


def config_problem(producer: dict) -> tuple[str, str] | None:
    """(property, the real client's message) when the producer config is invalid."""
    message = producer_config.validate(dict(producer))  # the client's own words, never raises
    if not message:
        return None
    return producer_config.KEY_FOR_ERROR.get(message, ""), message


@st.cache_data(ttl=30, show_spinner=False)
def lessons() -> tuple[list, str | None]:
    try:
        return lesson_module.load_all(), None
    except (lesson_module.LessonError, OSError) as exc:  # a broken lesson file must not take the app down
        return [], f"The lessons could not be loaded: {safe.md(exc, 400)}"


def lessons_or_stop(page_title: str) -> list:
    """The lessons, or the page stops with the reason they are missing."""
    found, problem = lessons()
    if problem or not found:
        st.title(page_title)
        st.error(problem or "No lessons found in lessons/.")
        st.stop()
    return found


def real_key(scenario: Scenario, backend: str) -> str:
    return f"engine.real.{backend}.{hashlib.sha1(scenario_key(scenario).encode()).hexdigest()[:16]}"


def kept(scenario: Scenario, backend: str) -> RunResult | None:
    """This learner's stored result for the scenario on a real back end, if any."""
    return st.session_state.get(real_key(scenario, backend))


def forget(scenario: Scenario, backend: str) -> None:
    st.session_state.pop(real_key(scenario, backend), None)


def run(scenario: Scenario, backend: str = SIM, *, ask_first: str | None = None) -> RunResult | None:
    """The one way a page runs a scenario; it never raises into the page.

    Simulated: at once, cached by scenario content (the same for everyone).  Real: in a
    worker thread with a progress line, the result kept for this learner (runs take
    seconds); a fresh run reruns the script once it ends, so every view, the sidebar's
    status too, is drawn from the kept result.  With `ask_first` (a widget namespace), a
    real run waits for the learner's click: the button is drawn and None returned."""
    problem = deeplink.room_problem(scenario)
    if problem:
        return RunResult(None, f"The lab does not run this set-up: {problem}.", backend)
    if backend == SIM:
        return RunResult(_simulate(scenario_key(scenario), scenario))  # a bad config is the trace's run_error
    key = real_key(scenario, backend)
    if key in st.session_state:
        return st.session_state[key]
    if ask_first is not None:
        asked = f"{ask_first}.run_real.asked"
        if not st.session_state.pop(asked, False) and not live_run.running(key):
            st.button(
                f"Run on {backend_label(backend)}",
                key=f"{ask_first}.run_real",
                type="primary",
                icon=":material/play_arrow:",
                on_click=lambda: st.session_state.update({asked: True}),
            )
            return None
    st.session_state[key] = _real(scenario, backend, key)
    st.rerun()
