"""The learner's current playground run (scenario + result), kept so other pages — the
wire inspector — show the same run.  Owns session keys `run.current*`."""

from __future__ import annotations

import streamlit as st

from idemlab import backends
from idemlab.model import Scenario
from ui.views.playground_spec import CLIENT_LABELS
from ui.widgets import runs

KEY = "run.current"


def remember(scenario: Scenario, result: runs.RunResult) -> None:
    run_id = runs.scenario_key(scenario) + "|" + result.backend
    if st.session_state.get(f"{KEY}.id") != run_id:
        st.session_state[f"{KEY}.id"] = run_id
        st.session_state[KEY] = {"scenario": scenario, "result": result}


def get() -> tuple[Scenario, runs.RunResult] | None:
    current = st.session_state.get(KEY)
    if not current:
        return None
    return current["scenario"], current["result"]


def where(backend: str) -> str:
    """Which back end made a run, in words."""
    if backend == runs.SIM:
        return "the **simulated broker** (in this app)"
    if backend == "local":
        bootstrap = backends.local_bootstrap()
        at = f" at {bootstrap}" if bootstrap else ""
        return f"**Local Kafka**{at} (a real Apache Kafka broker, through the fault proxy)"
    return f"the **existing cluster** {backend.removeprefix('kafka://')} (through the fault proxy)"


def caption(result: runs.RunResult, client: str | None = None) -> None:
    """`client`, when given, names the producer client that made the run too."""
    icon = ":material/memory:" if result.backend == runs.SIM else ":material/dns:"
    with_client = f", with the {CLIENT_LABELS[client]} producer" if client in CLIENT_LABELS else ""
    st.caption(f"{icon} This run was made by {where(result.backend)}{with_client}.")
