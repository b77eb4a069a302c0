"""Sidebar back-end picker with live status and a Reset button.
Owns session keys `backend.*`; pages ask `current()` for the chosen back end."""

from __future__ import annotations

import re

import streamlit as st

from ui.widgets import engine

CHOICES = {"Simulated": "sim", "Local Kafka": "local", "Existing cluster": "cluster"}
BOOTSTRAP_RE = re.compile(r"^[A-Za-z0-9._-]+:\d{1,5}$")
KEEP_ON_RESET = ("progress.",)


def current() -> str:
    choice = CHOICES.get(st.session_state.get("backend.choice", "Simulated"), "sim")
    if choice == "cluster":
        bootstrap = st.session_state.get("backend.bootstrap", "").strip()
        return f"kafka://{bootstrap}" if BOOTSTRAP_RE.match(bootstrap) else "sim"
    return choice


def use_simulated() -> None:
    st.session_state["backend.choice"] = "Simulated"


def _reset() -> None:
    for key in list(st.session_state):
        if not str(key).startswith(KEEP_ON_RESET):
            del st.session_state[key]
    for key in list(st.query_params):
        if key not in ("done", "ans"):
            del st.query_params[key]


def failure(message: str, ns: str, retry=None) -> None:
    """A back end could not run: its own words, a way back to the simulator, and a retry."""
    st.error(message, icon=":material/cloud_off:")
    with st.container(horizontal=True):
        st.button(
            "Use the simulated broker instead",
            on_click=use_simulated,
            key=f"{ns}.to_sim",
            type="primary",
            icon=":material/memory:",
        )
        if retry is not None:
            st.button("Try again", on_click=retry, key=f"{ns}.retry", icon=":material/refresh:")


def show() -> str:
    with st.sidebar:
        st.radio(
            "Broker",
            list(CHOICES),
            key="backend.choice",
            help="Simulated needs no set-up. Local Kafka starts a real broker on this machine.",
        )
        if st.session_state.get("backend.choice") == "Existing cluster":
            bootstrap = st.text_input(
                "Bootstrap server (host:port)", key="backend.bootstrap", placeholder="localhost:9092"
            )
            if bootstrap and not BOOTSTRAP_RE.match(bootstrap.strip()):
                st.error("Write it as host:port, for example localhost:9092.")
        backend = current()
        if st.session_state.get("backend.choice") == "Existing cluster" and backend == "sim":
            st.info("Enter a bootstrap server; until then runs use the simulated broker.")
        state, text = engine.backend_status(backend)
        if state == "ready":
            st.success(f"Ready — {text}", icon=":material/check_circle:")
        elif state == "starting":
            st.info(text, icon=":material/hourglass_top:")
        else:
            st.warning(f"Unavailable — {text}", icon=":material/warning:")
            st.button("Use the simulated broker", on_click=use_simulated, key="backend.fallback")
        st.button(
            "Reset the lab",
            on_click=_reset,
            key="backend.reset",
            icon=":material/restart_alt:",
            help="Forget your playground settings and runs (lesson progress is kept).",
        )
    return backend
