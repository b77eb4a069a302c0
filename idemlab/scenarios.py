"""Load, validate and override scenario files (lessons/scenarios/*.toml).

Every problem becomes a ScenarioError whose message is one line naming the file, the
key and what is allowed, so the command line and the app can show it as it is.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from idemlab import clients
from idemlab.errors import ERRORS_BY_NAME
from idemlab.model import (
    BROKER_ACTIONS,
    DELAY,
    ERROR,
    FAULT_ACTIONS,
    INT32_MAX,
    REQUEST_KINDS,
    Fault,
    Scenario,
    Step,
)
from idemlab.validation import Where

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "lessons" / "scenarios"

TOP_KEYS = {
    "title",
    "summary",
    "partitions",
    "brokers",
    "replication_factor",
    "seed",
    "producer",
    "topic",
    "broker_config",
    "step",
    "fault",
    "real_broker",
    "client",
}
STEP_ACTIONS = ("send", "flush", "restart_producer", "wait_ms", "broker")
STEP_KEYS = set(STEP_ACTIONS) | {"key", "partition", "broker_id", "bytes"}
FAULT_KEYS = {"request", "nth", "action", "error", "delay_ms", "probability", "seed"}
TOPIC_KEYS = {"max.message.bytes", "min.insync.replicas"}
REAL_BROKER_KEYS = {"racy"}  # [real_broker] racy = "what varies between real runs"
BROKER_KEYS = {"producer.id.expiration.ms", "producer.id.expiration.check.interval.ms"}
PRODUCER_WORDS = {"acks", "retries", "debug", "partitioner"}  # producer properties without a dot
SCENARIO_OVERRIDES = {"title", "summary", "partitions", "brokers", "replication_factor", "seed", "client"}
MAX_PARTITIONS = 64
MAX_MESSAGES = 2_000_000
MAX_FILE_BYTES = 64 * 1024 * 1024  # the documented maximum (2,000,000 short values) is about 20 MB
MAX_NESTING = 20  # tables and arrays inside each other; a scenario needs 3
MAX_NUMBER_DIGITS = 19  # a 64-bit integer; anything longer is refused before int() sees it


class ScenarioError(ValueError):
    """Bad input in a scenario file or an override; str() is the one-line message."""


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def resolve_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ScenarioError(f"{name_or_path}: no such scenario file")
        return candidate
    path = SCENARIO_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ScenarioError(
            f"{name_or_path}: no such scenario; choose one of: {', '.join(available())} or give a path to a .toml file"
        )
    return path


def load(name_or_path: str) -> Scenario:
    path = resolve_path(name_or_path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(f"{path}: {size:,} bytes; a scenario file may have at most {MAX_FILE_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc})") from None
    return parse(text, source=str(path), name=path.stem)


def parse(text: str, source: str = "<scenario>", name: str = "scenario") -> Scenario:
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(f"{source}: {len(text):,} characters; a scenario may have at most {MAX_FILE_BYTES:,}")
    data = _toml(text, source)
    return from_dict(data, source=source, name=name)


def _toml(text: str, source: str) -> dict[str, Any]:
    """tomllib.loads, with deep nesting refused in one line instead of a traceback."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: values nested too deeply (at most {MAX_NESTING} levels)") from None
    except ValueError:  # int() refuses numbers past sys.get_int_max_str_digits() (4,300)
        raise ScenarioError(
            f"{source}: a number too long to read (a value has at most {MAX_NUMBER_DIGITS} digits)"
        ) from None
    if _depth(data) > MAX_NESTING:
        raise ScenarioError(f"{source}: values nested too deeply (at most {MAX_NESTING} levels)")
    return data


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(value, Mapping):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):  # a scalar in it is at level + 1, the default: only tables and arrays go deeper
        nested = [v for v in value if isinstance(v, dict | list)]  # what tomllib makes of them
        return max((_depth(v, level + 1) for v in nested), default=level + 1)
    return level


def from_dict(data: Mapping[str, Any], source: str = "<scenario>", name: str = "scenario") -> Scenario:
    where = Where(source, error_type=ScenarioError)
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise where.error(unknown[0], f"unknown key; allowed: {', '.join(sorted(TOP_KEYS))}")
    title = where.typed(data, "title", str, required=True)
    partitions = where.int_in(data, "partitions", 1, MAX_PARTITIONS, default=1)
    brokers = where.int_in(data, "brokers", 1, 3, default=1)
    if brokers == 2:
        raise where.error("brokers", "must be 1 or 3")
    replication = where.int_in(data, "replication_factor", 1, brokers, default=brokers)
    producer = where.table(data, "producer")
    for prop, value in producer.items():
        if not isinstance(value, (str, int, float, bool)):
            raise where.error(f"producer.{prop}", "must be a string, number or boolean")
    topic = where.table(data, "topic", allowed=TOPIC_KEYS)
    broker_config = where.table(data, "broker_config", allowed=BROKER_KEYS)
    for table_name, table in (("topic", topic), ("broker_config", broker_config)):
        for key, value in table.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise where.error(f"{table_name}.{key}", "must be a positive whole number")
    steps = tuple(_step(where, i, raw, partitions, brokers) for i, raw in enumerate(where.array(data, "step"), 1))
    faults = tuple(_fault(where, i, raw) for i, raw in enumerate(where.array(data, "fault"), 1))
    real_broker = where.table(data, "real_broker", allowed=REAL_BROKER_KEYS)
    racy = Where(source, "real_broker.", ScenarioError).typed(real_broker, "racy", str, default="").strip()
    client = where.typed(data, "client", str, default=clients.DEFAULT)
    if client not in clients.CLIENTS:
        raise where.error("client", f"must be one of: {', '.join(clients.CLIENTS)}")
    scenario = Scenario(
        name=name,
        title=title,
        summary=where.typed(data, "summary", str, default=""),
        partitions=partitions,
        brokers=brokers,
        replication_factor=replication,
        producer=dict(producer),
        topic=dict(topic),
        broker_config=dict(broker_config),
        steps=steps,
        faults=faults,
        seed=where.int_in(data, "seed", 0, INT32_MAX, default=0),
        source=source,
        racy=racy,
        client=client,
    )
    total = sum(len(step.values) for step in steps)
    if total > MAX_MESSAGES:
        raise where.error("step", f"sends {total} messages; at most {MAX_MESSAGES} allowed")
    return scenario


def _step(where: Where, index: int, raw: Any, partitions: int, brokers: int) -> Step:
    label = f"step[{index}]"
    if not isinstance(raw, Mapping):
        raise where.error(label, 'must be a table such as { send = ["m1"] }')
    unknown = sorted(set(raw) - STEP_KEYS)
    if unknown:
        raise where.error(f"{label}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(STEP_KEYS))}")
    actions = [a for a in STEP_ACTIONS if a in raw]
    if len(actions) != 1:
        raise where.error(label, f"needs exactly one of: {', '.join(STEP_ACTIONS)}")
    action = actions[0]
    sub = where.inside(f"{label}.")
    if action == "send":
        values = raw["send"]
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise sub.error("send", "must be a non-empty list of strings")
        partition = sub.int_in(raw, "partition", 0, partitions - 1, default=None)
        key = sub.typed(raw, "key", str, default=None)
        pad_to = sub.int_in(raw, "bytes", 1, 10_000_000, default=None)
        return Step("send", values=tuple(values), key=key, partition=partition, pad_to=pad_to)
    if action == "flush":
        if raw["flush"] is not True:
            raise sub.error("flush", "must be true")
        return Step("flush")
    if action == "restart_producer":
        if raw["restart_producer"] is not True:
            raise sub.error("restart_producer", "must be true")
        return Step("restart_producer")
    if action == "wait_ms":
        return Step("wait", wait_ms=sub.int_in(raw, "wait_ms", 0, 3_600_000))
    broker = raw["broker"]
    if broker not in BROKER_ACTIONS:
        raise sub.error("broker", f"must be one of: {', '.join(BROKER_ACTIONS)}")
    broker_id = sub.int_in(raw, "broker_id", 1, brokers, default=None)
    return Step("broker", broker=broker, broker_id=broker_id)


def _fault(where: Where, index: int, raw: Any) -> Fault:
    label = f"fault[{index}]"
    if not isinstance(raw, Mapping):
        raise where.error(label, 'must be a table such as { request = "produce", nth = 1, action = "drop_response" }')
    unknown = sorted(set(raw) - FAULT_KEYS)
    if unknown:
        raise where.error(f"{label}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(FAULT_KEYS))}")
    sub = where.inside(f"{label}.")
    request = sub.typed(raw, "request", str, default="produce")
    if request not in REQUEST_KINDS:
        raise sub.error("request", f"must be one of: {', '.join(REQUEST_KINDS)}")
    action = sub.typed(raw, "action", str, required=True)
    if action not in FAULT_ACTIONS:
        raise sub.error("action", f"must be one of: {', '.join(FAULT_ACTIONS)}")
    nth = sub.int_in(raw, "nth", 1, 1_000_000, default=None)
    probability = raw.get("probability")
    if probability is not None:
        if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
            raise sub.error("probability", "must be a number from 0 to 1")
        probability = float(probability)
    if (nth is None) == (probability is None):
        raise sub.error("nth", "give either nth (which request) or probability (random faults)")
    error = sub.typed(raw, "error", str, default=None)
    if action == ERROR:
        if error is None:
            raise sub.error("error", 'is required with action = "error" (e.g. "NOT_ENOUGH_REPLICAS")')
        if error not in ERRORS_BY_NAME:
            raise sub.error("error", f"unknown Kafka error {error!r}; known: {', '.join(sorted(ERRORS_BY_NAME))}")
    elif error is not None:
        raise sub.error("error", 'only allowed with action = "error"')
    delay_ms = sub.int_in(raw, "delay_ms", 0, 3_600_000, default=None)
    if action == DELAY and delay_ms is None:
        raise sub.error("delay_ms", 'is required with action = "delay"')
    if action not in (DELAY, ERROR) and delay_ms is not None:
        raise sub.error("delay_ms", 'only allowed with action = "delay" or "error" (answer the error after delay_ms)')
    seed = sub.int_in(raw, "seed", 0, INT32_MAX, default=None)
    return Fault(
        request=request, action=action, nth=nth, error=error, delay_ms=delay_ms, probability=probability, seed=seed
    )


# ---- overrides ----------------------------------------------------------------------


def parse_override(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise ScenarioError(f"--set {text}: expected key=value, e.g. --set enable.idempotence=false")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key:
        raise ScenarioError(f"--set {text}: the key is empty")
    digits = raw.strip().lstrip("+-").replace("_", "")
    if len(digits) > MAX_NUMBER_DIGITS and digits.isascii() and digits.isdigit():
        raise ScenarioError(
            f"--set {key[:80]}: a number of {len(digits):,} digits; a value has at most {MAX_NUMBER_DIGITS} digits"
        )
    return key, _scalar(raw.strip())


def _scalar(raw: str) -> Any:
    try:
        return _toml(f"v = {raw}", "--set")["v"]
    except ScenarioError as exc:
        if "nested too deeply" in str(exc):
            raise
        return raw


def apply_overrides(scenario: Scenario, overrides: Iterable[tuple[str, Any]]) -> Scenario:
    """Apply `--set` style overrides and re-validate through the same checks as a file.

    Keys: producer properties (`enable.idempotence`, `linger.ms`, ...); scenario keys
    (`partitions`, `seed`, ...); `topic.<config>`, `broker.<config>`; fault keys
    (`nth`, `action`, `error`, `delay_ms`, `probability`, `request`) for the first fault,
    or `fault.N.<key>` for the Nth; `step.N.<key>` for the Nth step (`step.1.send=["a","b"]`).
    """
    data = to_dict(scenario)
    for key, value in overrides:
        if key in SCENARIO_OVERRIDES:
            data[key] = value
        elif key.startswith("topic."):
            data.setdefault("topic", {})[key[len("topic.") :]] = value
        elif key.startswith("broker."):
            data.setdefault("broker_config", {})[key[len("broker.") :]] = value
        elif key in FAULT_KEYS or key.startswith("fault."):
            index, fault_key = 1, key
            if key.startswith("fault."):
                parts = key.split(".")
                if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in FAULT_KEYS:
                    raise ScenarioError(
                        f"--set {key}: expected fault.N.<key> with <key> one of: {', '.join(sorted(FAULT_KEYS))}"
                    )
                index, fault_key = int(parts[1]), parts[2]
            faults = data.setdefault("fault", [])
            if not 1 <= index <= len(faults) + 1:
                raise ScenarioError(
                    f"--set {key}: the scenario has {len(faults)} fault(s); "
                    f"N must be from 1 to {len(faults) + 1} (N = {len(faults) + 1} adds one)"
                )
            while len(faults) < index:
                faults.append({"request": "produce", "action": "drop_response", "nth": 1})
            faults[index - 1][fault_key] = value
            if fault_key == "probability":
                faults[index - 1].pop("nth", None)
            elif fault_key == "nth":
                faults[index - 1].pop("probability", None)
            if fault_key == "action" and value != ERROR:
                faults[index - 1].pop("error", None)
            if fault_key == "action" and value not in (DELAY, ERROR):
                faults[index - 1].pop("delay_ms", None)
        elif key.startswith("step."):
            parts = key.split(".", 2)
            steps = data.get("step", [])
            if len(parts) != 3 or not parts[1].isdigit() or not 1 <= int(parts[1]) <= len(steps):
                raise ScenarioError(f"--set {key}: expected step.N.<key> with N from 1 to {len(steps)}")
            step = steps[int(parts[1]) - 1]
            if parts[2] in STEP_ACTIONS:
                for action in STEP_ACTIONS:
                    step.pop(action, None)
            step[parts[2]] = value
        elif "." in key or key in PRODUCER_WORDS:
            data.setdefault("producer", {})[key] = value
        else:
            raise ScenarioError(
                f"--set {key}: unknown key; use a producer property (e.g. enable.idempotence), "
                f"one of {', '.join(sorted(SCENARIO_OVERRIDES | FAULT_KEYS))}, topic.<config>, "
                "broker.<config>, fault.N.<key> or step.N.<key>"
            )
    return from_dict(data, source=f"{scenario.source or scenario.name} (with --set)", name=scenario.name)


def to_dict(scenario: Scenario) -> dict[str, Any]:
    """The TOML-shaped dict of a scenario (round-trips through from_dict)."""
    data: dict[str, Any] = {
        "title": scenario.title,
        "summary": scenario.summary,
        "partitions": scenario.partitions,
        "brokers": scenario.brokers,
        "replication_factor": scenario.replication_factor,
        "seed": scenario.seed,
        "producer": dict(scenario.producer),
        "topic": dict(scenario.topic),
        "broker_config": dict(scenario.broker_config),
        "step": [_step_dict(step) for step in scenario.steps],
        "fault": [{k: v for k, v in dataclasses.asdict(f).items() if v is not None} for f in scenario.faults],
    }
    if scenario.racy:
        data["real_broker"] = {"racy": scenario.racy}
    if scenario.client != clients.DEFAULT:
        data["client"] = scenario.client
    return data


def racy_note(scenario: Scenario) -> str:
    """The scenario's note that its outcome on a real broker varies ("" if none)."""
    return scenario.racy


def _step_dict(step: Step) -> dict[str, Any]:
    if step.kind == "send":
        out: dict[str, Any] = {"send": list(step.values)}
        if step.key is not None:
            out["key"] = step.key
        if step.partition is not None:
            out["partition"] = step.partition
        if step.pad_to is not None:
            out["bytes"] = step.pad_to
        return out
    if step.kind == "wait":
        return {"wait_ms": step.wait_ms}
    if step.kind == "broker":
        out = {"broker": step.broker}
        if step.broker_id is not None:
            out["broker_id"] = step.broker_id
        return out
    return {step.kind: True}
