"""Deep links: the playground's setup as plain, validated query values, e.g.
`?scenario=lost-ack&idem=1&fault=2:drop_response&step=12`.  `idem` is 1, 0 or `default`
(enable.idempotence left to the client); absent, the scenario's own setting holds.

decode() never raises: a malformed or out-of-range value is dropped and named in a
notice, and the view falls back to the scenario's own value.  Every value a link may
carry is read by ui.views.query_values and held to the playground controls' ranges
(ui.views.control_ranges), so a link can set up
nothing a learner could not set up by hand; room_problem() applies the same limits to
any scenario the app is asked to run.  Pure: no streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from idemlab import clients
from idemlab.model import Scenario
from idemlab.scenarios import ScenarioError
from ui.views import query_values, safe
from ui.views.control_ranges import (
    MAX_DELAY_MS,
    MAX_FAULTS,
    MAX_MESSAGE_BYTES,
    MAX_MESSAGES,
    MAX_NTH,
    MAX_PARTITIONS,
    MAX_POSITION,
    MAX_RANDOM_RATE,
    MAX_SEED,
    MAX_STEPS,
    MAX_STEPS_CHARS,
    MAX_TIMEOUT_MS,
    MAX_WAIT_MS,
)
from ui.views.control_ranges import NUMBER_PROPERTIES as INT_KEYS
from ui.views.playground_spec import (
    BLANK,
    IDEM_DEFAULT,
    IDEM_OFF,
    IDEM_ON,
    PlaygroundSpec,
    build,
    fault_from_token,
    fault_to_token,
    idem_choice,
    property_name,
    set_idem,
    spec_for,
    steps_from_text,
)

KEYS = {"scenario", "client", "idem", "acks", "steps", "fault", "step", "parts", *INT_KEYS}
MAX_LEN = MAX_STEPS_CHARS


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "on", "yes"):
        return True
    if low in ("0", "false", "off", "no"):
        return False
    raise ValueError("expected 1 or 0")


def decode(params: Mapping[str, str], available: list[str]) -> tuple[PlaygroundSpec, list[str]]:
    notices: list[str] = []
    params = {key: query_values.text(value) for key, value in params.items()}
    name = params.get("scenario", BLANK)
    if name != BLANK and name not in available:
        notices.append(f"Unknown scenario {safe.code(name)}; showing the blank playground instead.")
        name = BLANK
    client = None
    if "client" in params:
        try:
            client = _client(str(params["client"]))
        except ValueError as exc:
            raw = str(params["client"])
            notices.append(f"Ignored {safe.code(f'client={raw}', 40)} ({safe.md(exc)}); using the scenario's client.")
    try:
        spec = spec_for(name, client)
    except ScenarioError as exc:
        return spec_for(BLANK), [
            f"Scenario {safe.code(name)} could not be loaded ({safe.md(exc)}); showing the blank playground."
        ]
    for key in sorted(KEYS & set(params)):
        raw = str(params[key])
        if key in ("scenario", "client"):
            continue
        try:
            if len(raw) > MAX_LEN:
                raise ValueError(f"longer than {MAX_LEN} characters")
            notices.extend(_apply(spec, key, raw))
        except (ValueError, ScenarioError) as exc:
            notices.append(f"Ignored {safe.code(f'{key}={raw}', 40)} ({safe.md(exc)}); using the default instead.")
    try:
        problem = room_problem(build(spec))  # Markdown-safe already
    except ScenarioError as exc:
        problem = safe.md(exc)
    if problem:
        notices.append(f"The link's setup is not a valid scenario ({problem}); showing {safe.code(name)} as it is.")
        spec = spec_for(name, client)
    return spec, notices


def _client(raw: str) -> str:
    if len(raw) > 20 or raw.strip().lower() not in clients.CLIENTS:
        raise ValueError(f"expected {' or '.join(clients.CLIENTS)}")
    return raw.strip().lower()


def room_problem(scenario: Scenario) -> str | None:
    """Why the app will not run this scenario (it exceeds what the playground's controls
    allow), or None; Markdown-safe (values quoted with safe.code).  Shipped scenarios
    are within these limits."""
    messages = sum(len(step.values) for step in scenario.steps)
    if messages > MAX_MESSAGES:
        return f"it sends {messages} messages; the lab runs at most {MAX_MESSAGES}"
    if len(scenario.steps) > MAX_STEPS:
        return f"it has {len(scenario.steps)} steps; the lab runs at most {MAX_STEPS}"
    if len(scenario.faults) > MAX_FAULTS:
        return f"it has {len(scenario.faults)} faults; the lab runs at most {MAX_FAULTS}"
    for step in scenario.steps:
        if step.kind == "wait" and (step.wait_ms or 0) > MAX_WAIT_MS:
            return f"a wait of {step.wait_ms} ms; the lab waits at most {MAX_WAIT_MS} ms"
        if (step.pad_to or 0) > MAX_MESSAGE_BYTES:
            return f"messages of {step.pad_to} bytes; the lab sends at most {MAX_MESSAGE_BYTES} bytes each"
        for value in (*step.values, *([step.key] if step.key is not None else [])):
            if not safe.plain_value(value):
                return (
                    f"message value or key {safe.code(value, 30)} is not allowed: use up to 40 letters, digits, _ or -"
                )
    for fault in scenario.faults:
        if fault.probability is not None and fault.probability > MAX_RANDOM_RATE:
            return f"a random fault rate of {fault.probability:g}; the lab allows at most {MAX_RANDOM_RATE:g}"
        if (fault.delay_ms or 0) > MAX_DELAY_MS:
            return f"a delay of {fault.delay_ms} ms; the lab allows at most {MAX_DELAY_MS} ms"
        if (fault.nth or 0) > MAX_NTH:
            return f"a fault on request {fault.nth}; the lab counts requests up to {MAX_NTH}"
    for name in ("message.timeout.ms", "delivery.timeout.ms"):  # librdkafka's, Java's
        timeout = scenario.producer.get(name)
        if isinstance(timeout, int) and timeout > MAX_TIMEOUT_MS:
            return f"{name} = {timeout}; the lab allows at most {MAX_TIMEOUT_MS}"
    return None


def _apply(spec: PlaygroundSpec, key: str, raw: str) -> list[str]:
    """Set one link value on the spec; returns notices for values held to a range."""
    if key == "idem":
        choice = IDEM_DEFAULT if raw.strip().lower() == IDEM_DEFAULT else IDEM_ON if _bool(raw) else IDEM_OFF
        set_idem(spec.producer, choice)
    elif key == "acks":
        low = raw.strip().lower()
        if low not in ("all", "-1", "0", "1"):
            raise ValueError("expected all, 1 or 0")
        spec.producer["acks"] = "all" if low in ("all", "-1") else int(low)
    elif key in INT_KEYS:
        prop, low, high = INT_KEYS[key]
        spec.producer[property_name(prop, spec.client)] = query_values.whole(raw, low, high)
    elif key == "steps":
        text, notices = _clamped_sizes("\n".join(part.strip() for part in raw.split(";")))
        steps = steps_from_text(text)
        if len(steps) > MAX_STEPS:
            raise ValueError(f"more than {MAX_STEPS} steps")
        spec.steps_text = text
        return notices
    elif key == "fault":
        tokens = [] if raw.strip() in ("", "none") else raw.split(",")
        if len(tokens) > MAX_FAULTS:
            raise ValueError(f"more than {MAX_FAULTS} faults")
        spec.faults = [_bounded_fault(fault_from_token(t)) for t in tokens]
    elif key == "parts":
        spec.partitions = query_values.whole(raw, 1, MAX_PARTITIONS)
    elif key == "step":
        spec.position = query_values.whole(raw, 0, MAX_POSITION)
    return []


def _clamped_sizes(text: str) -> tuple[str, list[str]]:
    """The steps with each `bytes=N` held to 1..MAX_MESSAGE_BYTES, and a notice per change
    (a malformed size is left for the step parser to refuse)."""
    notices: list[str] = []

    def held(word: str) -> str:
        name, _, value = word.partition("=")
        if name != "bytes" or not query_values.is_whole(value):
            return word
        size = min(max(int(value), 1), MAX_MESSAGE_BYTES)
        if size != int(value):
            notices.append(
                f"Held {safe.code(word, 40)} to {safe.code(f'bytes={size}')} (a message of 1 to {MAX_MESSAGE_BYTES} bytes)."
            )
        return f"bytes={size}"

    return "\n".join(" ".join(held(word) for word in line.split(" ")) for line in text.splitlines()), notices


def _bounded_fault(fault: dict[str, Any]) -> dict[str, Any]:
    probability = fault.get("probability")
    if probability is not None and not 0 <= probability <= MAX_RANDOM_RATE:
        raise ValueError(f"a random fault rate from 0 to {MAX_RANDOM_RATE:g}")
    if not 0 <= fault.get("delay_ms", 0) <= MAX_DELAY_MS:
        raise ValueError(f"a delay from 0 to {MAX_DELAY_MS} ms")
    if fault.get("nth") is not None and not 1 <= fault["nth"] <= MAX_NTH:
        raise ValueError(f"a request number from 1 to {MAX_NTH}")
    if not 0 <= fault.get("seed", 0) <= MAX_SEED:
        raise ValueError(f"a seed from 0 to {MAX_SEED}")
    return fault


def encode(spec: PlaygroundSpec) -> dict[str, str]:
    """Only what differs from the scenario itself, so links stay short."""
    base = spec_for(spec.scenario, spec.client)
    idem = idem_choice(spec.producer)
    out = {"scenario": spec.scenario, "idem": {IDEM_ON: "1", IDEM_OFF: "0"}.get(idem, IDEM_DEFAULT)}
    if spec.client != spec_for(spec.scenario).client:
        out["client"] = spec.client
    if spec.producer.get("acks") != base.producer.get("acks") and "acks" in spec.producer:
        out["acks"] = str(spec.producer["acks"])
    for key, (control, _, _) in INT_KEYS.items():
        prop = property_name(control, spec.client)
        if prop in spec.producer and spec.producer[prop] != base.producer.get(prop):
            out[key] = str(spec.producer[prop])
    if spec.steps_text.strip() != base.steps_text.strip():
        out["steps"] = ";".join(line.strip() for line in spec.steps_text.splitlines() if line.strip())
    if spec.partitions != base.partitions:
        out["parts"] = str(spec.partitions)
    if spec.faults != base.faults:
        out["fault"] = ",".join(fault_to_token(f) for f in spec.faults) or "none"
    if spec.position is not None:
        out["step"] = str(spec.position)
    return out


def query_string(params: Mapping[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items()}, safe=":,;")


# ---- a fault chosen by clicking a letter or receipt in the mail room ----------------
def with_fault(faults: list[dict[str, Any]], fault: dict[str, Any]) -> list[dict[str, Any]]:
    """The fault plan with `fault` set on its request: any fault already addressed to the
    same request (kind and number) is replaced, the others are kept in order."""
    same = (fault.get("request", "produce"), fault.get("nth"))
    kept = [f for f in faults if (f.get("request", "produce"), f.get("nth")) != same]
    return [*kept, dict(fault)]


def faults_param(faults: list[dict[str, Any]]) -> str:
    """The `fault` query value for a fault plan (the playground's codec)."""
    return ",".join(fault_to_token(f) for f in faults) or "none"


def faults_from_param(raw: str) -> list[dict[str, Any]]:
    """A `fault` query value back into a fault plan; ValueError when malformed."""
    if len(raw) > MAX_LEN:
        raise ValueError("too long")
    tokens = [] if raw.strip() in ("", "none") else raw.split(",")
    if len(tokens) > MAX_FAULTS:
        raise ValueError(f"more than {MAX_FAULTS} faults")
    return [_bounded_fault(fault_from_token(t)) for t in tokens]
