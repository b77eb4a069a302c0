"""The two producer clients a scenario can run with, by name.

- "librdkafka": confluent-kafka (librdkafka), the default;
- "java": Apache Kafka's own Java producer (kafka-clients).

Each client has its own property names and its own checks; a config is validated by
the client it will run with, in that client's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LIBRDKAFKA = "librdkafka"
JAVA = "java"
CLIENTS = (LIBRDKAFKA, JAVA)
DEFAULT = LIBRDKAFKA


def check(client: str) -> str:
    if client not in CLIENTS:
        raise ValueError(f"client {client!r}: choose {' or '.join(CLIENTS)}")
    return client


def validate(client: str, conf: Mapping[str, Any]) -> str | None:
    """The client's own message for a config it refuses, or None."""
    if check(client) == JAVA:
        from idemlab.java_config import model_error

        return model_error(conf)
    from idemlab.producer_config import validate as validate_librdkafka

    return validate_librdkafka(conf)
