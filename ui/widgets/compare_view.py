"""Two runs of one scenario side by side: idempotence off vs on, or simulated vs real.
Owns session keys `cmp.*`."""

from __future__ import annotations

import streamlit as st

from idemlab import scenarios
from idemlab.model import Scenario
from ui.views.snapshot import snapshot
from ui.widgets import backend_picker, current_run, engine, repeat_view, run_views

MODES = ["Idempotence off vs on", "Simulated vs real broker"]


def variants(scenario: Scenario, mode: str, backend: str) -> list[tuple[str, Scenario, str]]:
    if mode == MODES[1]:
        return [("Simulated", scenario, engine.SIM), (f"Real ({backend})", scenario, backend)]
    off = scenarios.apply_overrides(scenario, [("enable.idempotence", False)])
    on = scenarios.apply_overrides(scenario, [("enable.idempotence", True)])
    return [("Idempotence OFF", off, backend), ("Idempotence ON", on, backend)]


def pick() -> tuple[Scenario | None, str]:
    names = scenarios.available()
    default = names.index("lost-ack") if "lost-ack" in names else 0
    cols = st.columns([2, 2])
    name = cols[0].selectbox("Scenario", names, index=default, key="cmp.scenario")
    mode = cols[1].radio("Compare", MODES, key="cmp.mode", horizontal=True)
    try:
        return scenarios.load(name), mode
    except scenarios.ScenarioError as exc:
        st.error(str(exc))
        return None, mode


def show(scenario: Scenario, mode: str, backend: str) -> None:
    if mode == MODES[1] and backend == engine.SIM:
        st.info("Choose Local Kafka or an existing cluster in the sidebar to compare with a real broker.")
        return
    st.caption(scenario.summary)
    try:
        sides = variants(scenario, mode, backend)
    except scenarios.ScenarioError as exc:
        st.error(f"This scenario cannot be varied that way: {exc}")
        return
    # Built only on request: two diagrams on every rerun would double the page's time.
    show_diagrams = st.toggle("Show the sequence diagrams", key="cmp.diagrams")
    for column, (label, variant, where) in zip(st.columns(2, gap="large"), sides, strict=False):
        with column:
            st.subheader(label)
            result = engine.run(variant, where)
            if result.error:
                backend_picker.failure(
                    result.error, f"cmp.{where}.{label}", retry=lambda v=variant, w=where: engine.forget(v, w)
                )
                continue
            current_run.caption(result)
            snap = snapshot(result.trace)
            run_views.outcome_line(snap, result.trace)
            run_views.stored_log(snap.stored, f"cmp.{label}")
            run_views.deliveries(snap, f"cmp.{label}")
            if show_diagrams:
                run_views.sequence(result.trace, len(result.trace.events), f"cmp.{label}")
            repeat_view.show(variant, where, f"cmp.{label}", simulated=engine.run(variant).trace)
