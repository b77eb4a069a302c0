"""Racy outcomes, shown honestly: run one scenario several times on a real broker and
show how the stored log varies, next to the simulator's single answer; on the
simulator, say so when a scenario is known to be a race on a real broker.
Owns session keys `<ns>.repeat.*`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from idemlab import repeat, scenarios
from idemlab.model import Scenario, Trace
from ui.views import safe
from ui.widgets import live_run, runs

RUNS = 10


def show(scenario: Scenario, backend: str, ns: str) -> None:
    note = scenarios.racy_note(scenario)
    if backend == runs.SIM:
        if note:
            st.info(
                f"**On a real broker this one is a race**: {safe.md(note, 600)}. The simulator shows one of the possible "
                "outcomes; choose Local Kafka in the sidebar to run it several times on a real broker.",
                icon=":material/casino:",
            )
        return
    key = f"{ns}.repeat.{runs.real_key(scenario, backend)}"
    asked = f"{ns}.repeat.asked"
    result = st.session_state.get(key)
    if result is None and not st.session_state.pop(asked, False) and not live_run.running(key):
        st.button(
            f"Run it {RUNS} times on {runs.backend_label(backend)}",
            key=f"{ns}.repeat.button",
            icon=":material/repeat:",
            on_click=lambda: st.session_state.update({asked: True}),
            help="Some outcomes are races on a real broker: see how often each stored log comes out.",
        )
        if note:
            st.caption(f"This scenario is known to vary on a real broker: {safe.md(note, 600)}.")
        return
    if result is None:
        result = live_run.run(
            key,
            lambda count: repeat.repeat(scenario, backend, RUNS, on_run=lambda _i, _trace: count()),
            lambda job: (
                f"Run {min(job.events + 1, RUNS)} of {RUNS} on {runs.backend_label(backend)}… {job.elapsed:.0f} s"
            ),
            lambda exc: f"The repeated runs on {runs.backend_label(backend)} failed: {exc}",
        )
        st.session_state[key] = result
    if isinstance(result, str):
        st.error(safe.md(result, 600), icon=":material/cloud_off:")
        return
    distribution(result, runs.run(scenario).trace)  # the simulator's answer: cached, instant


def distribution(dist: repeat.Distribution, simulated: Trace | None) -> None:
    st.markdown(f"**{len(dist.runs)} runs on the real broker.** {safe.md(dist.sentence(), 600)}")
    simulated_key = repeat.log_key(simulated) if simulated is not None else None
    rows = [
        {
            "stored log": ", ".join(
                value if partition == 0 else f"{value} (p{partition})" for partition, value in v.values
            )
            or "(empty)",
            "runs": f"{v.count} of {len(dist.runs)}",
            "the simulator's answer": "yes" if v.values == simulated_key else "",
        }
        for v in dist.variants
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if simulated_key is not None and all(v.values != simulated_key for v in dist.variants):
        st.warning("None of these runs stored what the simulator stores.", icon=":material/difference:")
