"""The wire inspector: the learner's current playground run (or one run here) decoded
request by request next to what was stored.  Owns session keys `wire.*`."""

from __future__ import annotations

import streamlit as st

from idemlab import clients, scenarios
from idemlab.model import Scenario
from ui.views import deeplink, safe
from ui.views.playground_spec import CLIENT_LABELS, build, spec_for
from ui.widgets import backend_picker, current_run, playground_form, runs, wire_view


def _client_picker(key: str) -> str:
    return st.radio("Producer client", list(clients.CLIENTS), key=key, format_func=CLIENT_LABELS.get, horizontal=True)


def _with_client(scenario: Scenario, client: str) -> Scenario:
    return scenarios.apply_overrides(scenario, [("client", client)])


def show(backend: str) -> None:
    pending = st.session_state.get("wire.pending")
    if pending is not None:  # a run asked for on this page: run it, it becomes the current run
        result = runs.run(pending, backend)
        del st.session_state["wire.pending"]
        if result.error:
            backend_picker.failure(result.error, "wire", retry=lambda: runs.forget(pending, backend))
            return
        current_run.remember(pending, result)

    current = current_run.get()
    if current is None:
        st.info(
            "**No run yet.** The inspector shows your current playground run. Run an experiment in the "
            "playground, or pick a scenario here and run it.",
            icon=":material/cable:",
        )
        names = scenarios.available()
        cols = st.columns([3, 2], vertical_alignment="bottom")
        name = cols[0].selectbox(
            "Scenario", names, index=names.index("lost-ack") if "lost-ack" in names else 0, key="wire.scenario"
        )
        with cols[1]:
            client = _client_picker("wire.client")
        st.button(
            f"Run it on {runs.backend_label(backend)}",
            key="wire.run",
            type="primary",
            icon=":material/play_arrow:",
            on_click=lambda: st.session_state.update({"wire.pending": build(spec_for(name, client))}),
        )
        st.page_link("pages/playground.py", label="Set up an experiment in the playground", icon=":material/science:")
        return

    scenario, result = current
    idem = "ON" if scenario.idempotent else "OFF"
    st.markdown(
        f"**Run:** {safe.code(scenario.name)} — {safe.md(scenario.title, 120)} · "
        f"{CLIENT_LABELS.get(scenario.client, safe.md(scenario.client, 20))} · idempotence **{idem}**"
    )
    current_run.caption(result)
    other = next(client for client in clients.CLIENTS if client != scenario.client)
    st.button(
        f"Run it again with {CLIENT_LABELS[other]}",
        key="wire.other_client",
        icon=":material/swap_horiz:",
        help="The same scenario and faults, the other producer client; its requests replace these.",
        on_click=lambda: st.session_state.update({"wire.pending": _with_client(scenario, other)}),
    )
    if result.backend != backend:
        cols = st.columns([3, 2], vertical_alignment="center")
        cols[0].info(
            f"The sidebar now says {runs.backend_label(backend)}; this run was made by "
            f"{runs.backend_label(result.backend)}.",
            icon=":material/swap_horiz:",
        )
        cols[1].button(
            f"Run it on {runs.backend_label(backend)}",
            key="wire.rerun",
            icon=":material/play_arrow:",
            on_click=lambda: st.session_state.update({"wire.pending": scenario}),
        )
    if playground_form.is_set_up():
        st.page_link("pages/playground.py", label="Change the set-up in the playground", icon=":material/science:")
    elif scenario.name in scenarios.available():
        st.page_link(
            "pages/playground.py",
            label="Open this scenario in the playground",
            icon=":material/science:",
            query_params=deeplink.encode(spec_for(scenario.name, scenario.client)),
        )
    wire_view.show(result.trace)
