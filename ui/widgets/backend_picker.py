"""Sidebar back-end picker with its status and a Reset button.
Owns session keys `backend.*`; pages ask `current()` for the chosen back end.

The server's operator decides what learners may use; a visitor never names a host:

- IDEMLAB_BACKENDS: which back ends learners may pick, comma-separated from
  `sim,local,cluster` (default: all three; `cluster` appears only when clusters are
  listed).  The simulator is always offered.
- IDEMLAB_CLUSTERS: the existing clusters on offer, `;`-separated, each
  `[name=]host:port[,host:port…]`, e.g. `Team cluster=kafka1:9092,kafka2:9092`.
  Or in Streamlit secrets (`.streamlit/secrets.toml`): `[idemlab] clusters = {"Team
  cluster" = "kafka1:9092"}` (a list of addresses also works).

Nothing connects to a listed cluster before the learner asks for a run.

The choice is in the URL (`?backend=local`, `?backend=cluster&cluster=<listed name>`;
the simulator is the URL without them), so a refresh or a shared link keeps it.  A link
names a cluster only by the operator's name for it, and a value that is not on offer
here is ignored like any other bad link value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import streamlit as st

from ui.views import safe
from ui.widgets import runs

LABELS = {"sim": "Simulated", "local": "Local Kafka", "cluster": "Existing cluster"}
CHOICES = {label: name for name, label in LABELS.items()}
HOST_PORT_RE = re.compile(r"^[A-Za-z0-9._-]{1,253}:\d{1,5}$")
KEEP_ON_RESET = ("progress.",)


def _bootstrap_ok(bootstrap: str) -> bool:
    hosts = bootstrap.split(",")
    return bool(hosts) and all(HOST_PORT_RE.match(h) and 0 < int(h.rsplit(":", 1)[1]) < 65536 for h in hosts)


def parse_clusters(text: str) -> dict[str, str]:
    """`name=host:port[,host:port];…` -> {name: bootstrap}; malformed entries are skipped
    (and logged by the caller's operator, never shown to learners as typed)."""
    out: dict[str, str] = {}
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        name, _, bootstrap = entry.rpartition("=")
        bootstrap = bootstrap.replace(" ", "")
        if _bootstrap_ok(bootstrap):
            out[name.strip() or bootstrap] = bootstrap
    return out


def _secret_clusters() -> dict[str, str]:
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        section = st.secrets.get("idemlab", {})
        listed = section.get("clusters", {}) if isinstance(section, Mapping) else {}
    except (FileNotFoundError, KeyError, ValueError, OSError, st.errors.StreamlitAPIException):
        return {}
    if isinstance(listed, Mapping):
        items = [(str(k), str(v)) for k, v in listed.items()]
    elif isinstance(listed, (list, tuple)):
        items = [("", str(v)) for v in listed]
    else:
        return {}
    return parse_clusters(";".join(f"{name}={bootstrap}" for name, bootstrap in items))


def listed_clusters() -> dict[str, str]:
    """{label: bootstrap} the operator offers (environment first, then secrets)."""
    return {**parse_clusters(os.environ.get("IDEMLAB_CLUSTERS", "")), **_secret_clusters()}


def allowed() -> list[str]:
    """The back ends learners may pick ("sim" always)."""
    text = os.environ.get("IDEMLAB_BACKENDS", "sim,local,cluster")
    names = {n.strip().lower() for n in text.split(",")}
    out = ["sim"] + [n for n in ("local", "cluster") if n in names]
    if "cluster" in out and not listed_clusters():
        out.remove("cluster")
    return out


def current() -> str:
    """The back end this learner picked, if the operator allows it; else the simulator."""
    choice = CHOICES.get(st.session_state.get("backend.choice", "Simulated"), "sim")
    if choice not in allowed():
        return "sim"
    if choice == "cluster":
        clusters = listed_clusters()
        picked = st.session_state.get("backend.cluster")
        bootstrap = clusters.get(picked) if picked in clusters else next(iter(clusters.values()), None)
        return f"kafka://{bootstrap}" if bootstrap else "sim"
    return choice


URL_BACKEND, URL_CLUSTER = "backend", "cluster"


def from_link(params: Mapping[str, str], offered: list[str], clusters: Mapping[str, str]) -> tuple[str, str | None]:
    """(label for the radio, cluster name) a link asks for, held to what is on offer; the
    simulator for anything else.  Pure, so it is tested without a page."""
    wanted = str(params.get(URL_BACKEND, "")).strip().lower()
    if wanted == "local" and "local" in offered:
        return LABELS["local"], None
    if wanted == "cluster" and "cluster" in offered:
        name = str(params.get(URL_CLUSTER, ""))
        if name in clusters:
            return LABELS["cluster"], name
        if len(clusters) == 1 and not name:
            return LABELS["cluster"], next(iter(clusters))
    return LABELS["sim"], None


def to_link(choice: str, cluster: str | None) -> dict[str, str]:
    """The URL values for a choice: nothing for the simulator."""
    name = CHOICES.get(choice, "sim")
    if name == "local":
        return {URL_BACKEND: "local"}
    if name == "cluster":
        return {URL_BACKEND: "cluster", **({URL_CLUSTER: cluster} if cluster else {})}
    return {}


def _sync_from_url(offered: list[str]) -> None:
    """On a learner's first run (a new tab, a refresh, a shared link) the URL decides."""
    if "backend.choice" in st.session_state:
        return
    label, cluster = from_link(st.query_params.to_dict(), offered, listed_clusters() if "cluster" in offered else {})
    st.session_state["backend.choice"] = label
    if cluster is not None:
        st.session_state["backend.cluster"] = cluster


def _write_url() -> None:
    choice = st.session_state.get("backend.choice", LABELS["sim"])
    cluster = st.session_state.get("backend.cluster") if CHOICES.get(choice) == "cluster" else None
    if CHOICES.get(choice) == "cluster" and cluster is None and listed_clusters():
        cluster = next(iter(listed_clusters()))
    wanted = to_link(choice, cluster)
    for key in (URL_BACKEND, URL_CLUSTER):
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]


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


def inline(ns: str) -> None:
    """The same choice next to a Run button (the sidebar's picker sits under the page
    list, below the fold of a laptop screen).  It mirrors `backend.choice` each run and
    writes to it when clicked; nothing is drawn when only the simulator is offered."""
    offered = [LABELS[n] for n in allowed() if n != "cluster" or listed_clusters()]
    if len(offered) < 2:
        return
    key = f"{ns}.backend"
    st.session_state[key] = st.session_state.get("backend.choice", LABELS["sim"])

    def pick() -> None:
        if st.session_state.get(key) in offered:
            st.session_state["backend.choice"] = st.session_state[key]

    st.segmented_control(
        "Broker for this run",
        offered,
        key=key,
        on_change=pick,
        help="The same choice as the sidebar's: the simulator needs no set-up; Local Kafka runs a real broker.",
    )


def show() -> str:
    offered = allowed()
    _sync_from_url(offered)
    with st.sidebar:
        if st.session_state.get("backend.choice") not in [LABELS[n] for n in offered]:
            st.session_state["backend.choice"] = "Simulated"
        if len(offered) > 1:
            st.radio(
                "Broker",
                [LABELS[n] for n in offered],
                key="backend.choice",
                help="Simulated needs no set-up. Local Kafka starts a real broker on this machine."
                + (" Existing cluster: one this server's operator has listed." if "cluster" in offered else ""),
            )
        if st.session_state.get("backend.choice") == LABELS["cluster"]:
            clusters = listed_clusters()
            if len(clusters) > 1:
                st.selectbox("Cluster", list(clusters), key="backend.cluster", format_func=safe.shorten)
        _write_url()
        backend = current()
        state, text = runs.backend_status(backend)
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
