"""What the Java client's tests need: a JDK (java and javac) and kafka-clients' jars;
a printed reason and a skip without them, a failure under CI=true (tests/needs.py)."""

from __future__ import annotations

from tests.needs import require_kafka, skip_or_fail


def require_java_client() -> None:
    from idemlab.kafka.java_client import KafkaSetupError, prepare

    require_kafka()
    try:
        prepare()
    except KafkaSetupError as error:
        skip_or_fail(f"the Java client is unavailable: {error}")
