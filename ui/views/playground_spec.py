"""What the playground is set to, as plain data, and how it becomes a Scenario.

The spec is what a deep link carries and what the widgets edit; building the Scenario
goes through idemlab.scenarios.from_dict so validation is shared with scenario files.
Pure: no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from idemlab import clients, java_config, producer_config, scenarios
from idemlab.model import BROKER_ACTIONS, DELAY, ERROR, Scenario
from ui.views import query_values
from ui.views.control_ranges import MAX_MESSAGE_BYTES

BLANK = "blank"
BLANK_SCENARIO: dict[str, Any] = {
    "title": "Blank playground",
    "summary": "Your own experiment.",
    "producer": {"enable.idempotence": False},
    "step": [{"send": ["m1", "m2", "m3"]}, {"flush": True}],
    "fault": [],
}

# The properties the playground has a control for; an unset one means librdkafka's default.
CONTROLS = (
    "enable.idempotence",
    "acks",
    "max.in.flight.requests.per.connection",
    "retries",
    "linger.ms",
    "message.timeout.ms",
    "batch.num.messages",
)
CONTROL_DEFAULTS: dict[str, Any] = {key: producer_config.default(key) for key in CONTROLS}
# Each client's own names: the Java producer has no message.timeout.ms or
# batch.num.messages; its controls there are delivery.timeout.ms and batch.size (bytes).
JAVA_NAMES = {"message.timeout.ms": "delivery.timeout.ms", "batch.num.messages": "batch.size"}
CLIENT_LABELS = {clients.LIBRDKAFKA: "librdkafka (confluent-kafka)", clients.JAVA: "Java (kafka-clients)"}
# enable.idempotence has three states: left to the client, or set on or off.  Left unset,
# the Java client turns it on unless acks/retries conflict, and then quietly off.
IDEM_DEFAULT, IDEM_ON, IDEM_OFF = "default", "on", "off"
IDEM_CHOICES = (IDEM_DEFAULT, IDEM_ON, IDEM_OFF)


def property_name(control: str, client: str) -> str:
    """The client's own name for one of the playground's CONTROLS."""
    return JAVA_NAMES.get(control, control) if client == clients.JAVA else control


def default_value(prop: str, client: str) -> Any:
    """What an unset property means to the client (acks as "all")."""
    if client == clients.JAVA:
        return java_config.DEFAULTS[prop]
    return producer_config.default(prop)


@dataclass
class PlaygroundSpec:
    scenario: str = BLANK
    producer: dict[str, Any] = field(default_factory=dict)  # only properties set explicitly
    steps_text: str = ""
    faults: list[dict[str, Any]] = field(default_factory=list)
    position: int | None = None
    partitions: int = 1
    client: str = clients.DEFAULT

    def control(self, key: str) -> Any:
        """The value of one of CONTROLS, by its librdkafka name, under this client's name."""
        prop = property_name(key, self.client)
        return self.producer.get(prop, default_value(prop, self.client))


def idem_choice(producer: dict[str, Any]) -> str:
    """The idempotence control's state for a producer config (only explicit keys)."""
    if "enable.idempotence" not in producer:
        return IDEM_DEFAULT
    return IDEM_ON if producer_config.as_bool(producer["enable.idempotence"]) else IDEM_OFF


def set_idem(producer: dict[str, Any], choice: str) -> None:
    """Set or, for IDEM_DEFAULT, leave out enable.idempotence."""
    if choice not in IDEM_CHOICES:
        raise ValueError(f"expected {', '.join(IDEM_CHOICES)}")
    producer.pop("enable.idempotence", None)
    if choice != IDEM_DEFAULT:
        producer["enable.idempotence"] = choice == IDEM_ON


def idem_label(choice: str, client: str) -> str:
    """An option of the idempotence control in words; the default one says what it means."""
    if choice != IDEM_DEFAULT:
        return choice
    if client == clients.JAVA:
        return "default (on for Java, off if acks/retries conflict)"
    return "default (off for librdkafka)"


def base_dict(name: str) -> dict[str, Any]:
    if name == BLANK:
        return {k: (v.copy() if hasattr(v, "copy") else v) for k, v in BLANK_SCENARIO.items()}
    return scenarios.to_dict(scenarios.load(name))


def normalise_producer(producer: dict[str, Any], client: str = clients.DEFAULT) -> dict[str, Any]:
    out = {}
    for key, value in producer.items():
        if client == clients.LIBRDKAFKA:  # the Java client's names are its own, never renamed
            key = producer_config.friendly(key)
        if key == "acks":
            value = producer_config.acks_text(value)
        if key == "enable.idempotence":
            value = producer_config.as_bool(value)
        out[key] = value
    return out


def spec_for(name: str, client: str | None = None) -> PlaygroundSpec:
    """The scenario's own set-up, with its own client unless `client` is given."""
    data = base_dict(name)
    client = clients.check(client or data.get("client", clients.DEFAULT))
    return PlaygroundSpec(
        scenario=name,
        client=client,
        producer=normalise_producer(dict(data.get("producer", {})), client),
        steps_text=steps_to_text(data.get("step", [])),
        faults=[dict(f) for f in data.get("fault", [])],
        partitions=int(data.get("partitions", 1)),
    )


def build(spec: PlaygroundSpec) -> Scenario:
    """Raises ScenarioError (one line, learner-readable) when the spec is not valid."""
    data = base_dict(spec.scenario)
    controlled = {property_name(control, spec.client) for control in CONTROLS}  # the spec says these, or not
    kept = {
        k: v for k, v in normalise_producer(dict(data.get("producer", {})), spec.client).items() if k not in controlled
    }
    data["producer"] = {**kept, **spec.producer}
    data["client"] = spec.client
    data["step"] = steps_from_text(spec.steps_text)
    data["fault"] = [dict(f) for f in spec.faults]
    data["partitions"] = spec.partitions
    name = spec.scenario if spec.scenario != BLANK else "playground"
    return scenarios.from_dict(data, source="playground", name=name)


# ---- the step editor's little language ---------------------------------------------
STEP_HELP = (
    "One step per line: `send a b c` (optional `key=K partition=N bytes=N`), `flush`, "
    "`restart producer`, `wait 500`, `broker stop|kill|start|leader_change [broker id]`."
)


def steps_from_text(text: str) -> list[dict[str, Any]]:
    steps = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.replace(",", " ").split()
        if not words or words[0].startswith("#"):
            continue
        verb, args = words[0].lower(), words[1:]
        where = f"step line {number} ({line.strip()!r})"
        if verb == "send":
            values = [a for a in args if "=" not in a]
            options = dict(a.split("=", 1) for a in args if "=" in a)
            if not values:
                raise scenarios.ScenarioError(f"{where}: send needs at least one message value")
            step: dict[str, Any] = {"send": values}
            if "key" in options:
                step["key"] = options.pop("key")
            if "partition" in options:
                step["partition"] = _int(options.pop("partition"), where)
            if "bytes" in options:
                step["bytes"] = _int(options.pop("bytes"), where)
                if not 1 <= step["bytes"] <= MAX_MESSAGE_BYTES:
                    raise scenarios.ScenarioError(
                        f"{where}: bytes= takes 1 to {MAX_MESSAGE_BYTES:,} (each value's size)"
                    )
            if options:
                raise scenarios.ScenarioError(
                    f"{where}: unknown option {next(iter(options))}; use key=, partition= or bytes="
                )
            steps.append(step)
        elif verb == "flush" and not args:
            steps.append({"flush": True})
        elif verb == "restart" and args in ([], ["producer"]):
            steps.append({"restart_producer": True})
        elif verb == "wait" and len(args) == 1:
            steps.append({"wait_ms": _int(args[0].removesuffix("ms"), where)})
        elif verb == "broker" and args and args[0] in BROKER_ACTIONS and len(args) <= 2:
            step = {"broker": args[0]}
            if len(args) == 2:
                step["broker_id"] = _int(args[1], where)
            steps.append(step)
        else:
            raise scenarios.ScenarioError(f"{where}: not understood. {STEP_HELP}")
    return steps


def _int(text: str, where: str) -> int:
    if not query_values.is_whole(text.removeprefix("-")):
        raise scenarios.ScenarioError(f"{where}: {text!r} is not a whole number")
    return int(text)


def steps_to_text(steps: list[dict[str, Any]]) -> str:
    lines = []
    for step in steps:
        if "send" in step:
            values = step["send"] if isinstance(step["send"], list) else [step["send"]]
            extra = [f"key={step['key']}"] if "key" in step else []
            extra += [f"partition={step['partition']}"] if "partition" in step else []
            extra += [f"bytes={step['bytes']}"] if "bytes" in step else []
            lines.append(" ".join(["send", *map(str, values), *extra]))
        elif "flush" in step:
            lines.append("flush")
        elif "restart_producer" in step:
            lines.append("restart producer")
        elif "wait_ms" in step:
            lines.append(f"wait {step['wait_ms']}")
        elif "broker" in step:
            lines.append(
                " ".join(["broker", step["broker"], *([str(step["broker_id"])] if "broker_id" in step else [])])
            )
    return "\n".join(lines)


def fault_phrase(fault: dict[str, Any]) -> str:
    """A fault in a learner's words (the link keeps the compact token)."""
    kind = "InitProducerId request" if fault.get("request") == "init_producer_id" else "produce request"
    chance = round(100 * float(fault.get("probability") or 0))
    which = f"{kind} {fault['nth']}" if fault.get("nth") else f"each {kind} (with probability {chance} %)"
    action = fault.get("action")
    if action == "drop_response":
        return f"the answer to {which} is lost"
    if action == "drop_request":
        return f"{which} is lost"
    if action == "error":
        return f"{which} is answered with {fault.get('error')}"
    if action == "delay":
        return f"the answer to {which} is {fault.get('delay_ms')} ms late"
    if action == "disconnect":
        return f"the connection is cut after {which}"
    return f"{which}: {action}"


# ---- faults as short tokens: "2:drop_response", "3:error:NOT_ENOUGH_REPLICAS",
# "4:delay:500", "init:1:error:COORDINATOR_LOAD_IN_PROGRESS", "p0.2:drop_response:s7"
def fault_to_token(fault: dict[str, Any]) -> str:
    arg = (
        fault.get("error")
        if fault.get("action") == ERROR
        else fault.get("delay_ms")
        if fault.get("action") == DELAY
        else None
    )
    if fault.get("probability") is not None:
        head = f"p{fault['probability']:g}"
    else:
        head = ("init:" if fault.get("request") == "init_producer_id" else "") + str(fault.get("nth"))
    parts = [head, fault.get("action", "")] + ([str(arg)] if arg is not None else [])
    if fault.get("probability") is not None and fault.get("seed") is not None:
        parts.append(f"s{fault['seed']}")
    return ":".join(parts)


def fault_from_token(token: str) -> dict[str, Any]:
    parts = token.strip().split(":")
    fault: dict[str, Any] = {"request": "produce"}
    if parts and parts[0] == "init":
        fault["request"] = "init_producer_id"
        parts = parts[1:]
    if len(parts) < 2:
        raise ValueError(f"fault {token!r}: expected REQUEST_NUMBER:ACTION, e.g. 2:drop_response")
    head, action, rest = parts[0], parts[1], parts[2:]
    if head.startswith("p"):
        fault["probability"] = query_values.decimal(head[1:], 0.0, 1.0)
        if rest and rest[-1].startswith("s") and query_values.is_whole(rest[-1][1:]):
            fault["seed"] = int(rest.pop()[1:])
    else:
        if not query_values.is_whole(head):
            raise ValueError(f"fault {token!r}: {head!r} is not a request number")
        fault["nth"] = int(head)
    fault["action"] = action
    if action == ERROR:
        if len(rest) != 1:
            raise ValueError(f"fault {token!r}: an error fault needs the error name, e.g. 3:error:NOT_ENOUGH_REPLICAS")
        fault["error"] = rest[0]
    elif action == DELAY:
        if len(rest) != 1 or not query_values.is_whole(rest[0]):
            raise ValueError(f"fault {token!r}: a delay needs milliseconds, e.g. 4:delay:500")
        fault["delay_ms"] = int(rest[0])
    elif rest:
        raise ValueError(f"fault {token!r}: unexpected {':'.join(rest)!r}")
    return fault
