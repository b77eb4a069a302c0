"""Lesson 7's live figure ({{live_cost_figure}}): what idempotence costs, measured on the
learner's real broker on request, else the README's measured figures, else "not
measured yet".  Owns session keys `cost.*` (the measurement is this learner's)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from idemlab import backends
from ui.widgets import live_run, runs

PLACEHOLDER = "live_cost_figure"
JOB = "cost.measure"
MESSAGES, SIZE = 20_000, 100


def figure_text(live: dict[str, Any] | None, recorded: dict[str, Any]) -> str:
    """The sentence that replaces the placeholder (pure)."""
    if live and live.get("ratio"):
        return (
            f"with idempotence **{live['on_per_s']:,.0f}** messages/s, without **{live['off_per_s']:,.0f}** "
            f"messages/s — **{live['ratio']:.2f}×** ({live['messages']:,} messages of {live['size']} bytes, "
            f"measured just now on {live['where']})."
        )
    if recorded.get("ratio"):
        return (
            f"with idempotence **{recorded['on_per_s']:,.0f}** messages/s, without "
            f"**{recorded['off_per_s']:,.0f}** messages/s — **{recorded['ratio']:.2f}×** "
            f"({recorded.get('messages', 0):,} messages of {recorded.get('size', '?')} bytes; "
            f"{recorded.get('machine', 'machine not recorded')})."
        )
    return "not measured yet."


def value() -> str:
    recorded = backends.recorded_cost()
    live = st.session_state.get("cost.live")
    return figure_text(live if isinstance(live, dict) else None, recorded)


def measure_if_asked(backend: str) -> None:
    """Run the measurement (progress line, then a rerun) when the learner asked for it."""
    if not (st.session_state.pop("cost.asked", False) or live_run.running(JOB)):
        return
    where = runs.backend_label(backend)

    def work(_count) -> dict[str, Any]:
        result = backends.measure_cost(backend, messages=MESSAGES, size=SIZE)
        return {**result, "where": where}

    def describe(job: live_run.Job) -> str:
        return (
            f"Measuring on {where}: {MESSAGES:,} messages with idempotence off, then on "
            f"(the first time, the broker starts too)… {job.elapsed:.0f} s"
        )

    def failed(exc: BaseException) -> str:
        return f"The measurement on {where} failed: {exc}"

    st.session_state["cost.live"] = live_run.run(JOB, work, describe, failed)
    st.rerun()


def controls(backend: str) -> None:
    live = st.session_state.get("cost.live")
    if isinstance(live, str):
        st.error(live, icon=":material/cloud_off:")
    state, _text = runs.backend_status(backend) if backend != runs.SIM else ("sim", "")
    if backend != runs.SIM and state != "unavailable":
        st.button(
            "Measure on the real broker",
            key="cost.measure_button",
            icon=":material/speed:",
            on_click=lambda: st.session_state.update({"cost.asked": True}),
            help=f"Produces {MESSAGES:,} messages of {SIZE} bytes twice on {runs.backend_label(backend)} "
            "(idempotence off, then on) and compares the rates. Takes a few seconds.",
        )
    else:
        st.caption("Choose Local Kafka or an existing cluster in the sidebar to measure it on a real broker.")
