"""librdkafka's producer configuration, as far as idempotence is concerned.

`resolve()` turns what the user set into the effective settings the simulator uses,
applying librdkafka's defaults and its idempotence adjustments (rdkafka_conf.c,
rd_kafka_conf_finalize).  `model_error()` mirrors librdkafka's idempotence checks with
their exact texts; `validate()` asks the real client itself when it is installed, so
any other mistake (an unknown property, a malformed value) is reported exactly as
confluent-kafka reports it.  tests/unit/test_producer_config.py keeps the two honest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from idemlab.model import INT32_MAX

# alias -> canonical librdkafka name (rd_kafka_conf_prop_find resolves aliases)
ALIASES = {
    "acks": "request.required.acks",
    "retries": "message.send.max.retries",
    "max.in.flight": "max.in.flight.requests.per.connection",
    "linger.ms": "queue.buffering.max.ms",
    "delivery.timeout.ms": "message.timeout.ms",
}

DEFAULTS: dict[str, Any] = {
    "enable.idempotence": False,
    "request.required.acks": -1,
    "message.send.max.retries": INT32_MAX,
    "max.in.flight.requests.per.connection": 1_000_000,
    "queue.buffering.max.ms": 5,
    "batch.num.messages": 10_000,
    "batch.size": 1_000_000,
    "message.timeout.ms": 300_000,
    "request.timeout.ms": 30_000,
    "socket.timeout.ms": 60_000,
    "retry.backoff.ms": 100,
    "retry.backoff.max.ms": 1_000,
    "reconnect.backoff.ms": 100,
    "reconnect.backoff.max.ms": 10_000,
    "enable.gapless.guarantee": False,
    "queue.buffering.backpressure.threshold": 1,
    "queuing.strategy": "fifo",
}

ACKS_MESSAGE = "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true"
INFLIGHT_MESSAGE = "Failed to create producer: `max.in.flight` must be set <= 5 when `enable.idempotence` is true"
RETRIES_MESSAGE = "Failed to create producer: `retries` must be set >= 1 when `enable.idempotence` is true"
BACKPRESSURE_MESSAGE = (
    "Failed to create producer: `queue.buffering.backpressure.threshold` "
    "must be set to 1 when `enable.idempotence` is true"
)
STRATEGY_MESSAGE = (
    "Failed to create producer: `queuing.strategy` must be set to `fifo` when `enable.idempotence` is true"
)
GAPLESS_MESSAGE = "Failed to create producer: `enable.gapless.guarantee` requires `enable.idempotence` to be enabled"

# The property each idempotence message is about, so a UI can show it beside the control.
KEY_FOR_ERROR = {
    ACKS_MESSAGE: "acks",
    INFLIGHT_MESSAGE: "max.in.flight.requests.per.connection",
    RETRIES_MESSAGE: "retries",
    BACKPRESSURE_MESSAGE: "queue.buffering.backpressure.threshold",
    STRATEGY_MESSAGE: "queuing.strategy",
    GAPLESS_MESSAGE: "enable.gapless.guarantee",
}

IDEMPOTENT_MAX_IN_FLIGHT = 5


@dataclass(frozen=True)
class ProducerSettings:
    """The effective settings the simulated producer runs with."""

    idempotent: bool
    acks: int
    retries: int
    max_in_flight: int
    linger_ms: int
    batch_num_messages: int
    batch_size: int
    message_timeout_ms: int
    request_timeout_ms: int
    socket_timeout_ms: int
    retry_backoff_ms: int
    retry_backoff_max_ms: int
    reconnect_backoff_ms: int
    reconnect_backoff_max_ms: int
    gapless: bool

    def as_config(self) -> dict[str, Any]:
        """Effective values under the names a learner knows (confluent-kafka's)."""
        return {
            "enable.idempotence": self.idempotent,
            "acks": "all" if self.acks == -1 else self.acks,
            "retries": self.retries,
            "max.in.flight.requests.per.connection": self.max_in_flight,
            "linger.ms": self.linger_ms,
            "batch.num.messages": self.batch_num_messages,
            "batch.size": self.batch_size,
            "message.timeout.ms": self.message_timeout_ms,
            "request.timeout.ms": self.request_timeout_ms,
            "socket.timeout.ms": self.socket_timeout_ms,
            "retry.backoff.ms": self.retry_backoff_ms,
            "enable.gapless.guarantee": self.gapless,
        }


class ConfigError(ValueError):
    """The producer could not be created; str() is the real client's message."""


def canonical(conf: Mapping[str, Any]) -> dict[str, Any]:
    """The same properties under librdkafka's canonical names."""
    return {ALIASES.get(key, key): value for key, value in conf.items()}


# The names the playground and the lessons use: Java's where both clients know them
# (acks, retries, linger.ms), librdkafka's own otherwise.
_FRIENDLY = {
    canonical_name: alias
    for alias, canonical_name in ALIASES.items()
    if alias not in ("max.in.flight", "delivery.timeout.ms")
}


def friendly(key: str) -> str:
    """The name a learner knows a property by (acks, retries, linger.ms, ...)."""
    return _FRIENDLY.get(ALIASES.get(key, key), ALIASES.get(key, key))


def default(key: str) -> Any:
    """What an unset property means, by either name; acks in the learner's form ("all")."""
    value = DEFAULTS[ALIASES.get(key, key)]
    return "all" if friendly(key) == "acks" and value == -1 else value


def as_bool(value: Any) -> bool:
    """A boolean property as librdkafka reads it (rd_kafka_conf_set: true/false, 1/0, ...)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "t", "yes", "y", "on")
    return bool(value)


def acks_value(value: Any) -> int:
    """acks as a number (-1 for all); ValueError for text that is neither."""
    if isinstance(value, str) and value.strip().lower() == "all":
        return -1
    return int(value)


def acks_text(value: Any) -> str | int:
    """acks in the learner's form: "all" for all/-1, else the number."""
    number = acks_value(value)
    return "all" if number == -1 else number


def model_error(conf: Mapping[str, Any]) -> str | None:
    """librdkafka's idempotence checks, in its order, with its exact texts."""
    user = canonical(conf)
    idempotent = as_bool(user.get("enable.idempotence", False))
    if idempotent:
        if "max.in.flight.requests.per.connection" in user and int(user["max.in.flight.requests.per.connection"]) > 5:
            return INFLIGHT_MESSAGE
        if "message.send.max.retries" in user and int(user["message.send.max.retries"]) < 1:
            return RETRIES_MESSAGE
        if (
            "queue.buffering.backpressure.threshold" in user
            and int(user["queue.buffering.backpressure.threshold"]) != 1
        ):
            return BACKPRESSURE_MESSAGE
        if "queuing.strategy" in user and str(user["queuing.strategy"]) != "fifo":
            return STRATEGY_MESSAGE
        if "request.required.acks" in user and acks_value(user["request.required.acks"]) != -1:
            return ACKS_MESSAGE
    elif as_bool(user.get("enable.gapless.guarantee", False)):
        return GAPLESS_MESSAGE
    return None


def validate(conf: Mapping[str, Any]) -> str | None:
    """The message the real confluent-kafka client gives for this config, or None.

    Creating a producer without bootstrap servers contacts no broker, so this is safe
    to call on every widget change.  Falls back to the model without the client.
    """
    try:
        from confluent_kafka import KafkaException, Producer
    except ImportError:
        return model_error(conf)
    trial = {k: v for k, v in conf.items() if k != "bootstrap.servers"}
    trial["log_level"] = 0
    try:
        Producer(trial)
    except KafkaException as exc:
        return exc.args[0].str()
    except (TypeError, ValueError) as exc:
        return str(exc)
    return None


def key_for_error(message: str) -> str | None:
    """The property a client message is about (for placing it beside a control)."""
    if message in KEY_FOR_ERROR:
        return KEY_FOR_ERROR[message]
    match = re.search(r'property:? "([^"]+)"', message) or re.search(r"`([a-z.]+)`", message)
    return match.group(1) if match else None


def resolve(conf: Mapping[str, Any]) -> ProducerSettings:
    """Effective settings, or ConfigError with the client's message."""
    error = model_error(conf)
    if error:
        raise ConfigError(error)
    user = canonical(conf)
    try:
        merged = {**DEFAULTS, **{k: v for k, v in user.items() if k in DEFAULTS}}
        idempotent = as_bool(merged["enable.idempotence"])
        max_in_flight = int(merged["max.in.flight.requests.per.connection"])
        if idempotent:
            max_in_flight = min(max_in_flight, IDEMPOTENT_MAX_IN_FLIGHT)
        return ProducerSettings(
            idempotent=idempotent,
            acks=acks_value(merged["request.required.acks"]),
            retries=int(merged["message.send.max.retries"]),
            max_in_flight=max_in_flight,
            linger_ms=int(float(merged["queue.buffering.max.ms"])),
            batch_num_messages=int(merged["batch.num.messages"]),
            batch_size=int(merged["batch.size"]),
            message_timeout_ms=int(merged["message.timeout.ms"]),
            request_timeout_ms=int(merged["request.timeout.ms"]),
            socket_timeout_ms=int(merged["socket.timeout.ms"]),
            retry_backoff_ms=int(merged["retry.backoff.ms"]),
            retry_backoff_max_ms=int(merged["retry.backoff.max.ms"]),
            reconnect_backoff_ms=int(merged["reconnect.backoff.ms"]),
            reconnect_backoff_max_ms=int(merged["reconnect.backoff.max.ms"]),
            gapless=as_bool(merged["enable.gapless.guarantee"]),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Failed to create producer: {exc}") from None


class InFlightLimit(NamedTuple):
    requests: int  # requests in flight per connection (max.in.flight after idempotence's cap)
    messages_per_partition: int | None  # librdkafka's idempotent cap, counted in messages (L6)
    text: str  # the limit that actually applies, in one plain sentence


def in_flight_limit(conf: Mapping[str, Any]) -> InFlightLimit:
    """Which in-flight limit actually applies (ConfigError as resolve).  With idempotence
    on, librdkafka caps max.in.flight at 5 requests per connection and, per partition,
    builds no new request while 5 of that partition's messages are in flight
    (rd_kafka_toppar_producer_serve: RD_KAFKA_IDEMP_MAX_INFLIGHT - rktp_msgs_inflight,
    a message count); with multi-message batches that is about one request per partition."""
    settings = resolve(conf)
    if not settings.idempotent:
        return InFlightLimit(
            settings.max_in_flight,
            None,
            f"Up to {settings.max_in_flight:,} requests in flight per connection (idempotence off).",
        )
    batch = settings.batch_num_messages
    per_request = (
        f"one message per request, so up to {min(settings.max_in_flight, IDEMPOTENT_MAX_IN_FLIGHT)} requests per partition"
        if batch == 1
        else f"with batches of up to {batch:,} messages, often just one request per partition"
    )
    return InFlightLimit(
        settings.max_in_flight,
        IDEMPOTENT_MAX_IN_FLIGHT,
        f"Up to {settings.max_in_flight} requests in flight per connection, and librdkafka builds no new "
        f"request for a partition while {IDEMPOTENT_MAX_IN_FLIGHT} of its messages are in flight "
        f"({per_request}).",
    )
