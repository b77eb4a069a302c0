"""Apache Kafka's Java producer configuration, as far as idempotence is concerned.

The Java client's own names, its 4.x defaults (idempotence on since 3.0, linger.ms 5
since 4.0) and its checks with its exact messages, as the real client 4.4 gives them
(ProducerConfig.postProcessAndValidateIdempotenceConfigs and
KafkaProducer.configureDeliveryTimeout; docs/java-client-findings.md).  A failure is
written as the client's exception prints: "ConfigException: <message>".
tests/unit/test_java_config.py holds the texts; tests/kafka/test_java_client.py checks
them against the real client.  Properties the Java client does not know are not an
error there: it logs them as supplied but unused, and so they are ignored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from idemlab.producer_config import ConfigError

INT_MAX = 2**31 - 1
IDEMPOTENT_MAX_IN_FLIGHT = 5

# name -> (type, default, minimum); Java's ConfigDef for the producer, the part the lab uses.
DEFINITIONS: dict[str, tuple[str, Any, int | None]] = {
    "enable.idempotence": ("BOOLEAN", True, None),
    "acks": ("ACKS", "all", None),
    "retries": ("INT", INT_MAX, 0),
    "max.in.flight.requests.per.connection": ("INT", 5, 1),
    "linger.ms": ("LONG", 5, 0),
    "batch.size": ("INT", 16_384, 0),
    "delivery.timeout.ms": ("INT", 120_000, 0),
    "request.timeout.ms": ("INT", 30_000, 0),
    "retry.backoff.ms": ("LONG", 100, 0),
    "retry.backoff.max.ms": ("LONG", 1_000, 0),
    "reconnect.backoff.ms": ("LONG", 50, 0),
    "reconnect.backoff.max.ms": ("LONG", 1_000, 0),
    "max.block.ms": ("LONG", 60_000, 0),
}
DEFAULTS = {name: definition[1] for name, definition in DEFINITIONS.items()}
ACKS_VALUES = ("all", "-1", "0", "1")

RETRIES_MESSAGE = "ConfigException: Must set retries to non-zero when using the idempotent producer."
ACKS_MESSAGE = (
    "ConfigException: Must set acks to all in order to use the idempotent producer. "
    "Otherwise we cannot guarantee idempotence."
)
DELIVERY_TIMEOUT_MESSAGE = (
    "KafkaException: Failed to construct kafka producer (caused by ConfigException: "
    "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms)"
)


def in_flight_message(value: int) -> str:
    return (
        "ConfigException: To use the idempotent producer, max.in.flight.requests.per.connection "
        f"must be set to at most {IDEMPOTENT_MAX_IN_FLIGHT}. Current value is {value}."
    )


@dataclass(frozen=True)
class JavaSettings:
    """The effective settings of a Java producer."""

    idempotent: bool
    acks: int
    retries: int
    max_in_flight: int
    linger_ms: int
    batch_size: int
    delivery_timeout_ms: int
    request_timeout_ms: int
    retry_backoff_ms: int
    retry_backoff_max_ms: int
    reconnect_backoff_ms: int
    reconnect_backoff_max_ms: int
    max_block_ms: int = 60_000

    def as_config(self) -> dict[str, Any]:
        """Effective values under the Java client's names."""
        return {
            "enable.idempotence": self.idempotent,
            "acks": "all" if self.acks == -1 else self.acks,
            "retries": self.retries,
            "max.in.flight.requests.per.connection": self.max_in_flight,
            "linger.ms": self.linger_ms,
            "batch.size": self.batch_size,
            "delivery.timeout.ms": self.delivery_timeout_ms,
            "request.timeout.ms": self.request_timeout_ms,
            "retry.backoff.ms": self.retry_backoff_ms,
            "retry.backoff.max.ms": self.retry_backoff_max_ms,
        }


def _parse(name: str, raw: Any) -> Any:
    kind, _, minimum = DEFINITIONS[name]
    text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw).strip()
    if kind == "BOOLEAN":
        if text.lower() not in ("true", "false"):
            raise ConfigError(
                f"ConfigException: Invalid value {text} for configuration {name}: "
                "Expected value to be either true or false"
            )
        return text.lower() == "true"
    if kind == "ACKS":
        if text.lower() not in ACKS_VALUES:
            raise ConfigError(
                f"ConfigException: Invalid value {text} for configuration {name}: "
                f"String must be one of: {', '.join(ACKS_VALUES)}"
            )
        return -1 if text.lower() == "all" else int(text)
    bits = 31 if kind == "INT" else 63
    try:
        number = int(text)
        if not -(2**bits) <= number < 2**bits:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"ConfigException: Invalid value {text} for configuration {name}: Not a number of type {kind}"
        ) from None
    if minimum is not None and number < minimum:
        raise ConfigError(
            f"ConfigException: Invalid value {number} for configuration {name}: Value must be at least {minimum}"
        )
    return number


def resolve(conf: Mapping[str, Any]) -> JavaSettings:
    """Effective settings, or ConfigError with the Java client's message."""
    values = {name: _parse(name, conf[name]) if name in conf else _parse(name, DEFAULTS[name]) for name in DEFINITIONS}
    chosen = "enable.idempotence" in conf
    idempotent = values["enable.idempotence"]
    if idempotent:
        # Set by the user these are errors; left at the default, idempotence quietly goes
        # off instead (the client logs "Idempotence will be disabled because ...").
        if values["retries"] == 0:
            if chosen:
                raise ConfigError(RETRIES_MESSAGE)
            idempotent = False
        if values["acks"] != -1:
            if chosen:
                raise ConfigError(ACKS_MESSAGE)
            idempotent = False
        if values["max.in.flight.requests.per.connection"] > IDEMPOTENT_MAX_IN_FLIGHT:
            raise ConfigError(in_flight_message(values["max.in.flight.requests.per.connection"]))
    delivery_timeout = values["delivery.timeout.ms"]
    floor = values["linger.ms"] + values["request.timeout.ms"]
    if delivery_timeout < floor:
        if "delivery.timeout.ms" in conf:
            raise ConfigError(DELIVERY_TIMEOUT_MESSAGE)
        delivery_timeout = floor  # the client warns and raises it
    return JavaSettings(
        idempotent=idempotent,
        acks=values["acks"],
        retries=values["retries"],
        max_in_flight=values["max.in.flight.requests.per.connection"],
        linger_ms=values["linger.ms"],
        batch_size=values["batch.size"],
        delivery_timeout_ms=delivery_timeout,
        request_timeout_ms=values["request.timeout.ms"],
        retry_backoff_ms=values["retry.backoff.ms"],
        retry_backoff_max_ms=values["retry.backoff.max.ms"],
        reconnect_backoff_ms=values["reconnect.backoff.ms"],
        reconnect_backoff_max_ms=values["reconnect.backoff.max.ms"],
        max_block_ms=values["max.block.ms"],
    )


def model_error(conf: Mapping[str, Any]) -> str | None:
    """The Java client's message for this config, or None when it creates a producer."""
    try:
        resolve(conf)
    except ConfigError as exc:
        return str(exc)
    return None


def unknown(conf: Mapping[str, Any]) -> list[str]:
    """Properties this model does not know (the real client may: it is asked on a run)."""
    return sorted(k for k in conf if k not in DEFINITIONS)
