"""Deep links: the playground's setup as plain, validated query values, e.g.
`?scenario=lost-ack&idem=1&fault=2:drop_response&step=12`.

decode() never raises: a malformed value is dropped and named in a notice, and the
view falls back to the scenario's own value.  Pure: no streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from idemlab.scenarios import ScenarioError
from ui.views.playground_spec import (
    BLANK,
    PlaygroundSpec,
    build,
    fault_from_token,
    fault_to_token,
    spec_for,
    steps_from_text,
)

# query key -> (producer property, parser)
INT_KEYS = {
    "inflight": ("max.in.flight.requests.per.connection", 1, 1_000_000),
    "retries": ("retries", 0, 2_147_483_647),
    "linger": ("linger.ms", 0, 900_000),
    "timeout": ("message.timeout.ms", 1, 2_147_483_647),
    "batch": ("batch.num.messages", 1, 1_000_000),
}
KEYS = {"scenario", "idem", "acks", "steps", "fault", "step", *INT_KEYS}
MAX_LEN = 2000


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "on", "yes"):
        return True
    if low in ("0", "false", "off", "no"):
        return False
    raise ValueError("expected 1 or 0")


def decode(params: Mapping[str, str], available: list[str]) -> tuple[PlaygroundSpec, list[str]]:
    notices: list[str] = []
    name = str(params.get("scenario", BLANK))
    if name != BLANK and name not in available:
        notices.append(f"Unknown scenario `{name[:60]}`; showing the blank playground instead.")
        name = BLANK
    try:
        spec = spec_for(name)
    except ScenarioError as exc:
        return spec_for(BLANK), [f"Scenario `{name}` could not be loaded ({exc}); showing the blank playground."]
    for key in sorted(KEYS & set(params)):
        raw = str(params[key])
        if key == "scenario":
            continue
        try:
            if len(raw) > MAX_LEN:
                raise ValueError("too long")
            _apply(spec, key, raw)
        except (ValueError, ScenarioError) as exc:
            notices.append(f"Ignored `{key}={raw[:40]}` ({exc}); using the default instead.")
    try:
        build(spec)
    except ScenarioError as exc:
        notices.append(f"The link's setup is not a valid scenario ({exc}); showing `{name}` as it is.")
        spec = spec_for(name)
    return spec, notices


def _apply(spec: PlaygroundSpec, key: str, raw: str) -> None:
    if key == "idem":
        spec.producer["enable.idempotence"] = _bool(raw)
    elif key == "acks":
        low = raw.strip().lower()
        if low not in ("all", "-1", "0", "1"):
            raise ValueError("expected all, 1 or 0")
        spec.producer["acks"] = "all" if low in ("all", "-1") else int(low)
    elif key in INT_KEYS:
        prop, low, high = INT_KEYS[key]
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"expected {low}..{high}")
        spec.producer[prop] = value
    elif key == "steps":
        text = "\n".join(part.strip() for part in raw.split(";"))
        steps_from_text(text)
        spec.steps_text = text
    elif key == "fault":
        spec.faults = [] if raw.strip() in ("", "none") else [fault_from_token(t) for t in raw.split(",")]
    elif key == "step":
        value = int(raw)
        if value < 0:
            raise ValueError("expected a position from 0")
        spec.position = value


def encode(spec: PlaygroundSpec) -> dict[str, str]:
    """Only what differs from the scenario itself, so links stay short."""
    base = spec_for(spec.scenario)
    out = {"scenario": spec.scenario, "idem": "1" if spec.control("enable.idempotence") else "0"}
    if spec.producer.get("acks") != base.producer.get("acks") and "acks" in spec.producer:
        out["acks"] = str(spec.producer["acks"])
    for key, (prop, _, _) in INT_KEYS.items():
        if prop in spec.producer and spec.producer[prop] != base.producer.get(prop):
            out[key] = str(spec.producer[prop])
    if spec.steps_text.strip() != base.steps_text.strip():
        out["steps"] = ";".join(line.strip() for line in spec.steps_text.splitlines() if line.strip())
    if spec.faults != base.faults:
        out["fault"] = ",".join(fault_to_token(f) for f in spec.faults) or "none"
    if spec.position is not None:
        out["step"] = str(spec.position)
    return out


def query_string(params: Mapping[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items()}, safe=":,;")
