"""The one door from the UI to the engine: run a scenario on a back end without ever
raising into a page.  Engine pieces that are not installed yet degrade to a message.
Simulated runs are cached by scenario content (pure, deterministic)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import streamlit as st

from idemlab import scenarios
from idemlab.model import Scenario, Trace

SIM = "sim"


@dataclass
class RunResult:
    trace: Trace | None
    error: str | None = None
    backend: str = SIM


def scenario_key(scenario: Scenario) -> str:
    return json.dumps({"name": scenario.name, **scenarios.to_dict(scenario)}, sort_keys=True, default=str)


@st.cache_data(max_entries=256, show_spinner=False)
def _simulate(key: str, _scenario: Scenario) -> Trace:
    try:
        from idemlab import backends
        return backends.run(_scenario, SIM)
    except ImportError:
        from idemlab import sim
        return sim.run(_scenario)


def run(scenario: Scenario, backend: str = SIM) -> RunResult:
    if backend == SIM:
        try:
            return RunResult(_simulate(scenario_key(scenario), scenario))
        except ImportError:
            return RunResult(None, "The simulated broker (idemlab.sim) is not installed in this build yet.")
        except Exception as exc:  # noqa: BLE001 - a page shows the reason, never a traceback
            return RunResult(None, f"The simulator could not run this scenario: {exc}")
    try:
        from idemlab import backends
    except ImportError:
        return RunResult(None, "Real Kafka back ends are not available in this build yet.", backend)
    try:
        return RunResult(backends.run(scenario, backend), None, backend)
    except getattr(backends, "BackendUnavailable", RuntimeError) as exc:
        return RunResult(None, str(exc), backend)
    except Exception as exc:  # noqa: BLE001
        return RunResult(None, f"The run on {backend} failed: {exc}", backend)


def backend_status(backend: str) -> tuple[str, str]:
    if backend == SIM:
        return "ready", "Simulated broker: always ready, no set-up."
    try:
        from idemlab import backends
        return backends.status(backend)
    except ImportError:
        return "unavailable", "Real Kafka back ends are not available in this build yet."
    except Exception as exc:  # noqa: BLE001
        return "unavailable", str(exc)


def config_problem(producer: dict) -> tuple[str, str] | None:
    """(property, the real client's message) when the producer config is invalid."""
    try:
        from idemlab import producer_config
    except ImportError:
        return None
    conf = {k: v for k, v in producer.items()}
    try:
        message = producer_config.validate(conf)
    except Exception as exc:  # noqa: BLE001
        return "", str(exc)
    if not message:
        return None
    return producer_config.KEY_FOR_ERROR.get(message, ""), message


@st.cache_data(ttl=30, show_spinner=False)
def lessons() -> tuple[list, str | None]:
    try:
        from idemlab import lessons as lesson_module
        return lesson_module.load_all(), None
    except ImportError:
        return [], "Lessons are not installed in this build yet."
    except Exception as exc:  # noqa: BLE001
        return [], f"The lessons could not be loaded: {exc}"


def explain(trace: Trace) -> list[str]:
    try:
        from idemlab.explain import explain as explain_trace
    except ImportError:
        return []
    return explain_trace(trace)


def run_kept(scenario: Scenario, backend: str) -> RunResult:
    """Like run(), but a real broker's result is kept for this learner (runs take seconds)."""
    if backend == SIM:
        return run(scenario)
    key = f"engine.real.{backend}.{hashlib.sha1(scenario_key(scenario).encode()).hexdigest()[:16]}"
    if key not in st.session_state:
        with st.spinner(f"Running on {backend}…"):
            st.session_state[key] = run(scenario, backend)
    return st.session_state[key]


def run_for_page(scenario: Scenario, backend: str, ns: str) -> RunResult | None:
    """Simulated runs happen at once; a real broker runs only when asked."""
    if backend == SIM:
        return run(scenario)
    key = f"engine.real.{backend}.{hashlib.sha1(scenario_key(scenario).encode()).hexdigest()[:16]}"
    asked = f"{ns}.run_real.asked"
    if key not in st.session_state and not st.session_state.pop(asked, False):
        st.button(f"Run on {backend}", key=f"{ns}.run_real", type="primary", icon=":material/play_arrow:",
                  on_click=lambda: st.session_state.update({asked: True}))
        return None
    return run_kept(scenario, backend)
