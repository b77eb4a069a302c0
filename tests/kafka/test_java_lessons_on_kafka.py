"""What lessons 8 to 10 say about the runs beside their own (their checks and Going
further links) holds on a real broker too, with Apache Kafka's Java client and with
confluent-kafka: the claims of tests/unit/test_java_lessons.py, run by backends.run."""

from __future__ import annotations

import pytest

from idemlab import backends
from idemlab.clients import JAVA
from idemlab.outcome import facts
from tests.java_needs import require_java_client
from tests.unit.test_java_lessons import CLAIMS

pytestmark = [pytest.mark.kafka, pytest.mark.usefixtures("shared_local_cluster")]


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("claim", "scenario", "holds"), CLAIMS, ids=[c[0][:60] for c in CLAIMS])
def test_what_the_java_lessons_say_beside_their_own_run_holds_on_the_real_broker(claim, scenario, holds, java_required):
    if scenario.client == JAVA:
        require_java_client()
    try:
        found = facts(backends.run(scenario, backends.LOCAL))
    except ValueError as refused:  # a client that refuses its configuration before the run
        found = {"config_error": str(refused)}
        assert "config_error" in claim or "ConfigException" in claim, refused
    assert holds(found), found
