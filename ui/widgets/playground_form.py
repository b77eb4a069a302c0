"""The playground's set-up widgets: scenario, producer config, step editor, fault plan.
Owns session keys `pg.*`; `show()` returns the PlaygroundSpec the widgets describe and
puts a config error beside the control it is about."""

from __future__ import annotations

from typing import Any

import streamlit as st

from idemlab import clients, java_config, producer_config, scenarios
from idemlab.errors import ERRORS
from idemlab.producer_config import ConfigError
from ui.views import client_message, control_ranges, deeplink, safe
from ui.views.playground_spec import (
    BLANK,
    CLIENT_LABELS,
    CONTROL_DEFAULTS,
    CONTROLS,
    IDEM_CHOICES,
    IDEM_DEFAULT,
    STEP_HELP,
    PlaygroundSpec,
    default_value,
    fault_phrase,
    idem_choice,
    idem_label,
    property_name,
    set_idem,
    spec_for,
)
from ui.widgets import runs

FAULT_SLOTS = 6
SIMPLE_FAULTS = {
    "nothing": None,
    "lost acknowledgement": "drop_response",
    "lost request": "drop_request",
    "delay": "delay",
    "disconnect": "disconnect",
}
ERROR_NAMES = sorted(info.name for info in ERRORS.values() if info.code > 0)
FAULT_CHOICES = list(SIMPLE_FAULTS) + [f"broker error {name}" for name in ERROR_NAMES]
RANDOM_ACTIONS = ["drop_response", "drop_request", "disconnect"]
NUMBER_CONTROLS = {  # widget key -> (librdkafka's property, label, min, max), the ranges from control_ranges
    f"pg.{key}": (prop, prop, low, high) for key, (prop, low, high) in control_ranges.NUMBER_PROPERTIES.items()
}


def _fault_choice(fault: dict[str, Any]) -> str:
    if fault.get("action") == "error":
        return f"broker error {fault.get('error')}"
    return next(label for label, action in SIMPLE_FAULTS.items() if action == fault.get("action"))


def write_widgets(spec: PlaygroundSpec) -> None:
    ss = st.session_state
    ss["pg.scenario"] = spec.scenario
    ss["pg.client"] = spec.client
    ss["pg.client.shown"] = spec.client  # the client whose property names the controls hold
    ss["pg.base_producer"] = dict(spec_for(spec.scenario, spec.client).producer)
    ss["pg.idem"] = idem_choice(spec.producer)
    ss["pg.acks"] = str(spec.control("acks"))
    for key, (prop, *_rest) in NUMBER_CONTROLS.items():
        ss[key] = int(spec.control(prop))
    ss["pg.steps"] = spec.steps_text
    ss["pg.partitions"] = int(spec.partitions)
    extra, random_fault = [], None
    for slot in range(1, FAULT_SLOTS + 1):
        ss[f"pg.fault.{slot}"] = "nothing"
    ss["pg.delay_ms"] = 1000
    for fault in spec.faults:
        simple = fault.get("request", "produce") == "produce" and fault.get("nth") and fault["nth"] <= FAULT_SLOTS
        if (
            simple
            and ss[f"pg.fault.{fault['nth']}"] == "nothing"
            and (fault.get("action") != "error" or fault.get("error") in ERROR_NAMES)
        ):
            ss[f"pg.fault.{fault['nth']}"] = _fault_choice(fault)
            ss["pg.delay_ms"] = int(fault.get("delay_ms") or ss["pg.delay_ms"])
        elif fault.get("probability") is not None and random_fault is None and fault.get("action") in RANDOM_ACTIONS:
            random_fault = fault
        else:
            extra.append(fault)
    ss["pg.extra_faults"] = extra
    ss["pg.random.rate"] = float(random_fault["probability"]) if random_fault else 0.0
    ss["pg.random.action"] = random_fault["action"] if random_fault else "drop_response"
    ss["pg.random.seed"] = int(random_fault.get("seed") or 0) if random_fault else 0
    ss["pg.position"] = spec.position


def read_widgets(client: str | None = None) -> PlaygroundSpec:
    """The spec the widgets hold; `client` names the properties (default: the one picked)."""
    ss = st.session_state
    client = client or ss.get("pg.client.shown", clients.DEFAULT)
    base = ss.get("pg.base_producer", {})
    producer: dict[str, Any] = {}
    set_idem(producer, ss["pg.idem"] if ss["pg.idem"] in IDEM_CHOICES else IDEM_DEFAULT)
    acks = "all" if ss["pg.acks"] == "all" else int(ss["pg.acks"])
    if "acks" in base or acks != default_value("acks", client):
        producer["acks"] = acks
    for key, (control, *_rest) in NUMBER_CONTROLS.items():
        prop = property_name(control, client)
        if prop in base or ss[key] != default_value(prop, client):
            producer[prop] = int(ss[key])
    faults: list[dict[str, Any]] = []
    for slot in range(1, FAULT_SLOTS + 1):
        choice = ss[f"pg.fault.{slot}"]
        if choice.startswith("broker error "):
            faults.append({"request": "produce", "nth": slot, "action": "error", "error": choice.split()[-1]})
        elif SIMPLE_FAULTS.get(choice):
            fault = {"request": "produce", "nth": slot, "action": SIMPLE_FAULTS[choice]}
            if fault["action"] == "delay":
                fault["delay_ms"] = int(ss["pg.delay_ms"])
            faults.append(fault)
    if ss["pg.random.rate"] > 0:
        faults.append(
            {
                "request": "produce",
                "probability": float(ss["pg.random.rate"]),
                "action": ss["pg.random.action"],
                "seed": int(ss["pg.random.seed"]),
            }
        )
    faults.extend(ss.get("pg.extra_faults", []))
    return PlaygroundSpec(
        scenario=ss["pg.scenario"],
        producer=producer,
        steps_text=ss["pg.steps"],
        faults=faults,
        position=ss.get("pg.position"),
        partitions=int(ss.get("pg.partitions", 1)),
        client=client,
    )


def _link_in_url() -> dict[str, str]:
    return {k: v for k, v in st.query_params.to_dict().items() if k in deeplink.KEYS and k != "step"}


def load_from_url() -> list[str]:
    """Take the set-up from the URL on the first visit, and whenever a link (e.g. from a
    lesson) brings a different one; otherwise the widgets keep what the learner did."""
    link = _link_in_url()
    if st.session_state.get("pg.ready") and (not link or link == st.session_state.get("pg.published")):
        return []
    spec, notices = deeplink.decode(st.query_params.to_dict(), scenarios.available())
    write_widgets(spec)
    # A link (from a lesson, or shared) opens on the result; the set-up is one click away.
    if {"scenario", "step"} & set(st.query_params.to_dict()):
        st.session_state["pg.setup"] = False
    st.session_state["pg.ready"] = True
    st.session_state["pg.published"] = link
    return notices


def is_set_up() -> bool:
    """Whether this learner has set up an experiment in the playground (it owns `pg.*`)."""
    return bool(st.session_state.get("pg.ready"))


def _on_scenario_change() -> None:
    write_widgets(spec_for(st.session_state["pg.scenario"], st.session_state.get("pg.client")))


def _on_client_change() -> None:
    """Keep the set-up; the controls take the new client's names and defaults."""
    spec = read_widgets(st.session_state.get("pg.client.shown", clients.DEFAULT))
    spec.client = clients.check(st.session_state["pg.client"])
    shared = [control for control in CONTROLS if property_name(control, clients.JAVA) == control]
    spec.producer = {k: v for k, v in spec.producer.items() if k in shared}  # both clients' names
    write_widgets(spec)


def config_problem(spec: PlaygroundSpec) -> tuple[str, str] | None:
    """(property, the chosen client's own message) when that client refuses the config."""
    if spec.client == clients.LIBRDKAFKA:
        return runs.config_problem(spec.producer)
    message = clients.validate(spec.client, spec.producer)
    if not message:
        return None
    named = [name for name in java_config.DEFINITIONS if name in message]
    about = min(named, key=message.find, default="")  # the first property the message names
    return about, message


def _append_step(line: str) -> None:
    text = st.session_state.get("pg.steps", "").rstrip()
    st.session_state["pg.steps"] = f"{text}\n{line}".strip()


def _title(name: str) -> str:
    if name == BLANK:
        return "Blank — start from scratch"
    try:
        return f"{name} — {scenarios.load(name).title}"
    except scenarios.ScenarioError:
        return name


def effective_idempotence(spec: PlaygroundSpec) -> bool:
    """Whether the chosen client would run idempotent (the Java client's default turns off
    quietly when acks/retries conflict); a config the client refuses counts as asked."""
    try:
        if spec.client == clients.JAVA:
            return java_config.resolve(spec.producer).idempotent
        return producer_config.resolve(spec.producer).idempotent
    except ConfigError:
        return bool(spec.control("enable.idempotence"))


def summary(spec: PlaygroundSpec) -> str:
    sends = sum(
        len([word for word in line.split()[1:] if "=" not in word])  # not key=, partition=, bytes=
        for line in spec.steps_text.splitlines()
        if line.strip().startswith("send")
    )
    faults = "; ".join(fault_phrase(f) for f in spec.faults) or "none"
    effective = effective_idempotence(spec)
    idem = f"**{'ON' if effective else 'OFF'}**"
    if idem_choice(spec.producer) == IDEM_DEFAULT:
        if spec.client != clients.JAVA:
            idem += " (librdkafka's default)"
        elif effective:
            idem += " (the Java client's default)"
        else:  # lesson 8's point: the default is on, a conflicting acks/retries turns it off
            idem += " (the Java client's default is on; acks or retries conflict, so it is quietly off)"
    return (
        f"{safe.md(_title(spec.scenario), 80)} · {CLIENT_LABELS[spec.client]} · idempotence {idem} · acks={spec.control('acks')} · "
        f"{sends} messages · faults: {safe.md(faults, 160)}"
    )


WIDGET_KEYS = (
    "pg.scenario",
    "pg.client",
    "pg.tab",
    "pg.idem",
    "pg.acks",
    *NUMBER_CONTROLS,
    "pg.steps",
    "pg.partitions",
    *(f"pg.fault.{n}" for n in range(1, FAULT_SLOTS + 1)),
    "pg.delay_ms",
    "pg.random.rate",
    "pg.random.action",
    "pg.random.seed",
)


def keep_hidden_widget_values() -> None:
    """Streamlit forgets a widget's value in a run that does not draw it; closed tabs and
    a closed set-up draw nothing, so their values are handed back to session state (the
    documented way).  Call before any set-up widget is drawn."""
    for key in WIDGET_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def setup() -> tuple[PlaygroundSpec, tuple[str, str] | None]:
    """The folding set-up section: returns the spec the widgets hold and, when the client
    would refuse its config, (property, confluent-kafka's message).  Its label says what
    it holds; closed, it draws nothing (a quicker first paint)."""
    _apply_clicked_fault()
    keep_hidden_widget_values()
    spec = read_widgets()
    problem = config_problem(spec)
    box = st.expander(
        f"Set up the experiment: {summary(spec)}",
        key="pg.setup",
        expanded=True,
        on_change="rerun",
        icon=":material/tune:",
    )
    if box.open:
        with box:
            show(problem)
    return spec, problem


def break_request(fault: dict[str, Any]) -> None:
    """A fault chosen by clicking a letter or receipt in the mail room: kept until the
    next run's set-up (widgets cannot change once drawn), which applies it."""
    st.session_state["pg.click_fault"] = dict(fault)
    st.session_state["pg.run_real.asked"] = True  # on a real back end, run it at once (runs.run's ask_first)


def _apply_clicked_fault() -> None:
    fault = st.session_state.pop("pg.click_fault", None)
    if fault:
        spec = read_widgets()
        spec.faults = deeplink.with_fault(spec.faults, fault)
        spec.position = None
        write_widgets(spec)


def in_flight_note(producer: dict[str, Any], client: str = clients.DEFAULT) -> str:
    """The in-flight limit that applies, which idempotence caps at 5."""
    if client == clients.JAVA:
        try:
            limit = java_config.resolve(producer).max_in_flight
        except ConfigError:
            return ""
        return f"In flight that applies: **{limit}** requests per connection (the Java client's default is 5)."
    try:
        settings = producer_config.resolve(producer)
    except ConfigError:
        return ""
    asked = producer.get(
        "max.in.flight.requests.per.connection", CONTROL_DEFAULTS["max.in.flight.requests.per.connection"]
    )
    if settings.idempotent and settings.max_in_flight != int(asked):
        return (
            f"In flight that applies: **{settings.max_in_flight}** requests per connection "
            f"(idempotence caps librdkafka's default of {int(asked):,} at 5)."
        )
    return f"In flight that applies: **{settings.max_in_flight}** requests per connection."


def show(problem: tuple[str, str] | None) -> None:
    """Draw the set-up widgets (the open tab's only) and put `problem` beside its control."""
    st.selectbox(
        "Scenario",
        [BLANK, *scenarios.available()],
        key="pg.scenario",
        format_func=_title,
        on_change=_on_scenario_change,
    )
    st.radio(
        "Producer client",
        list(clients.CLIENTS),
        key="pg.client",
        format_func=CLIENT_LABELS.get,
        on_change=_on_client_change,
        horizontal=True,
        help="Each client has its own property names, defaults and checks.",
    )
    client = st.session_state.get("pg.client.shown", clients.DEFAULT)
    # Only the open tab's widgets are drawn: fewer elements, a quicker first paint.
    config_tab, steps_tab, faults_tab = st.tabs(
        ["Producer configuration", "What the application does", "What goes wrong"], key="pg.tab", on_change="rerun"
    )
    slots: dict[str, Any] = {}
    if config_tab.open:
        with config_tab:
            cols = st.columns(4)
            with cols[0]:
                st.radio(
                    "enable.idempotence",
                    IDEM_CHOICES,
                    key="pg.idem",
                    format_func=lambda choice: idem_label(choice, client),
                    help="Give the producer an id and number every batch. Left to the client's default, "
                    "the Java client turns it on, and quietly off when acks or retries conflict; "
                    "set on, it refuses such a config instead.",
                )
                slots["enable.idempotence"] = st.empty()
            with cols[1]:
                st.selectbox("acks", ["all", "1", "0"], key="pg.acks")
                slots["acks"] = st.empty()
            more = st.columns(4)
            for column, (key, (prop, _label, low, high)) in zip(
                cols[2:] + more[:3], NUMBER_CONTROLS.items(), strict=False
            ):
                with column:
                    name = property_name(prop, client)
                    st.number_input(name, low, high, key=key, step=1)
                    if key == "pg.inflight":
                        st.caption(in_flight_note(read_widgets().producer, client))
                    slots[name] = st.empty()
            more[3].number_input(
                "Partitions",
                1,
                control_ranges.MAX_PARTITIONS,
                key="pg.partitions",
                step=1,
                help="How many partitions the topic has; `send … partition=N` picks one, otherwise by key.",
            )
    if steps_tab.open:
        with steps_tab:
            left, right = st.columns([2, 1])
            left.text_area(
                "Steps", key="pg.steps", height=150, help=STEP_HELP, max_chars=control_ranges.MAX_STEPS_CHARS
            )
            right.caption(STEP_HELP)
            right.button("+ restart producer", on_click=_append_step, args=("restart producer",), key="pg.add.restart")
            right.button(
                "+ broker stop, then start",
                on_click=_append_step,
                args=("broker stop\nbroker start",),
                key="pg.add.broker",
            )
    if faults_tab.open:
        with faults_tab:
            st.caption("Choose what goes wrong with each produce request (retries count as requests).")
            grid = st.columns(3)
            for slot in range(1, FAULT_SLOTS + 1):
                grid[(slot - 1) % 3].selectbox(f"Request {slot}", FAULT_CHOICES, key=f"pg.fault.{slot}")
            extra = st.columns(4)
            extra[0].number_input("Delay length (ms)", 0, control_ranges.MAX_DELAY_MS, key="pg.delay_ms", step=100)
            extra[1].slider("Random fault rate", 0.0, control_ranges.MAX_RANDOM_RATE, key="pg.random.rate", step=0.05)
            extra[2].selectbox("Random fault", RANDOM_ACTIONS, key="pg.random.action")
            extra[3].number_input("Random seed", 0, 2**31 - 1, key="pg.random.seed")
            if st.session_state.get("pg.extra_faults"):
                st.caption(
                    "Also from the scenario: "
                    + ", ".join(deeplink.fault_to_token(f) for f in st.session_state["pg.extra_faults"])
                )
    if problem and config_tab.open:
        prop, message = problem
        shown = client_message.markdown(message)  # it may quote a value from a link
        (slots.get(prop) or slots["enable.idempotence"]).error(shown, icon=":material/error:")


def publish(spec: PlaygroundSpec) -> None:
    """Mirror the set-up into the URL so it can be shared (the step is added by the stepper)."""
    params = deeplink.encode(spec)
    params.pop("step", None)
    st.session_state["pg.published"] = params
    for key in deeplink.KEYS - set(params) - {"step"}:
        if key in st.query_params:
            del st.query_params[key]
    for key, value in params.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
