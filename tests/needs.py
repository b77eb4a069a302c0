"""What a test needs from the machine, and what happens without it: a printed reason and
a skip on a laptop, a failure under CI=true (where every piece must be present)."""

from __future__ import annotations

import os

import pytest


def skip_or_fail(reason: str) -> None:
    print(reason)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def require_kafka() -> None:
    """Java and Apache Kafka's jars (fetched once with Maven), for a real local broker."""
    from idemlab.kafka.jars import KafkaSetupError, find_java, kafka_classpath

    try:
        find_java()
        kafka_classpath()
    except KafkaSetupError as error:
        skip_or_fail(f"real Kafka broker unavailable: {error}")
