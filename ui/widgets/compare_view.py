"""Two runs of one scenario side by side: idempotence off vs on, simulated vs real, or
librdkafka vs the Java client on the same faults.
Honours the playground's link parameters (`?scenario=reorder&fault=2:drop_response…`,
ui/views/deeplink.py).  Owns session keys `cmp.*`."""

from __future__ import annotations

import streamlit as st

from idemlab import clients, scenarios
from idemlab.model import Scenario
from ui.views import deeplink, safe
from ui.views.playground_spec import CLIENT_LABELS, build
from ui.views.snapshot import snapshot
from ui.widgets import backend_picker, current_run, repeat_view, run_views, runs

MODES = ["Idempotence off vs on", "Simulated vs real broker", "librdkafka vs Java"]
CLIENTS_MODE = MODES[2]


def with_client(scenario: Scenario, client: str) -> Scenario:
    if scenario.client == client:
        return scenario
    return scenarios.apply_overrides(scenario, [("client", clients.check(client))])


def variants(scenario: Scenario, mode: str, backend: str) -> list[tuple[str, Scenario, str]]:
    """(label, scenario, back end) per side.  librdkafka vs Java: the same scenario, faults
    and property values; each client reads the names it knows."""
    if mode == MODES[1]:
        return [("Simulated", scenario, runs.SIM), (f"Real ({backend})", scenario, backend)]
    if mode == CLIENTS_MODE:
        return [(CLIENT_LABELS[client], with_client(scenario, client), backend) for client in clients.CLIENTS]
    off = scenarios.apply_overrides(scenario, [("enable.idempotence", False)])
    on = scenarios.apply_overrides(scenario, [("enable.idempotence", True)])
    return [("Idempotence OFF", off, backend), ("Idempotence ON", on, backend)]


SHOWN_SETTINGS = (
    "enable.idempotence",
    "acks",
    "max.in.flight.requests.per.connection",
    "linger.ms",
    "message.timeout.ms",  # librdkafka's
    "delivery.timeout.ms",  # Java's
)


def effective_settings(config: dict) -> str:
    """The settings where the two clients' defaults differ, under the client's own names."""
    return " · ".join(safe.code(f"{name}={config[name]}") for name in SHOWN_SETTINGS if name in config)


def _link() -> dict[str, str]:
    """The playground link parameters in the URL (scenario, idem, acks, inflight, …)."""
    return {k: v for k, v in st.query_params.to_dict().items() if k in deeplink.KEYS and k != "step"}


def _follow_link(names: list[str]) -> list[str]:
    """A link not seen yet in this session picks the scenario; its notices, if any."""
    link = _link()
    key = sorted(link.items())
    if not link or st.session_state.get("cmp.link_seen") == key:
        return []
    st.session_state["cmp.link_seen"] = key
    spec, notices = deeplink.decode(link, names)
    if spec.scenario in names:
        st.session_state["cmp.scenario"] = spec.scenario
        st.session_state["cmp.link"] = link
    return notices


def _picked() -> None:
    """The learner chose another scenario: the link's other settings no longer apply."""
    st.session_state.pop("cmp.link", None)
    for key in list(st.query_params.to_dict()):
        if key in deeplink.KEYS:
            del st.query_params[key]
    st.query_params["scenario"] = st.session_state["cmp.scenario"]
    st.session_state["cmp.link_seen"] = sorted(_link().items())


def _scenario(name: str, names: list[str]) -> Scenario:
    link = st.session_state.get("cmp.link")
    if link and link.get("scenario") == name:
        spec, _ = deeplink.decode(link, names)
        settings = ", ".join(f"{k}={v}" for k, v in sorted(link.items()) if k != "scenario")
        if settings:
            st.caption(f"From the link: {safe.md(settings)} (changing the scenario drops these).")
        return build(spec)
    return scenarios.load(name)


def pick() -> tuple[Scenario | None, str]:
    names = scenarios.available()
    for notice in _follow_link(names):
        st.warning(notice, icon=":material/link_off:")
    if st.session_state.get("cmp.scenario") not in names:
        st.session_state["cmp.scenario"] = "lost-ack" if "lost-ack" in names else names[0]
    cols = st.columns([2, 2])
    name = cols[0].selectbox("Scenario", names, key="cmp.scenario", on_change=_picked)
    mode = cols[1].radio("Compare", MODES, key="cmp.mode", horizontal=True)
    try:
        scenario = _scenario(name, names)
    except scenarios.ScenarioError as exc:
        st.error(safe.md(exc, 400))
        return None, mode
    if mode != CLIENTS_MODE:
        if st.session_state.get("cmp.client.for") != scenario.name:  # a new scenario brings its own client
            st.session_state["cmp.client.for"] = scenario.name
            st.session_state["cmp.client"] = scenario.client
        client = st.radio(
            "Producer client", list(clients.CLIENTS), key="cmp.client", format_func=CLIENT_LABELS.get, horizontal=True
        )
        try:
            scenario = with_client(scenario, client)
        except scenarios.ScenarioError as exc:
            st.error(safe.md(exc, 400))
            return None, mode
    return scenario, mode


def show(scenario: Scenario, mode: str, backend: str) -> None:
    if mode == MODES[1] and backend == runs.SIM:
        st.info("Choose Local Kafka or an existing cluster in the sidebar to compare with a real broker.")
        return
    st.caption(scenario.summary)
    if mode == CLIENTS_MODE:
        st.caption(
            "The same steps, faults and property values for both clients, each with its own defaults. "
            "Java ignores librdkafka-only names (message.timeout.ms, batch.num.messages); librdkafka "
            "refuses a name it does not know."
        )
    try:
        sides = variants(scenario, mode, backend)
    except scenarios.ScenarioError as exc:
        st.error(f"This scenario cannot be varied that way: {safe.md(exc, 400)}")
        return
    # Built only on request: two diagrams on every rerun would double the page's time.
    show_diagrams = st.toggle("Show the sequence diagrams", key="cmp.diagrams")
    for column, (label, variant, where) in zip(st.columns(2, gap="large"), sides, strict=False):
        with column:
            st.subheader(label)
            result = runs.run(variant, where)
            if result.error:
                backend_picker.failure(
                    result.error, f"cmp.{where}.{label}", retry=lambda v=variant, w=where: runs.forget(v, w)
                )
                continue
            current_run.caption(result)
            if mode == CLIENTS_MODE:
                st.caption(f"It ran with: {effective_settings(result.trace.config)}")
            snap = snapshot(result.trace)
            run_views.outcome_line(snap, result.trace)
            run_views.stored_log(snap.stored, f"cmp.{label}")
            run_views.deliveries(snap, f"cmp.{label}")
            if show_diagrams:
                run_views.sequence(result.trace, len(result.trace.events), f"cmp.{label}")
            repeat_view.show(variant, where, f"cmp.{label}")
