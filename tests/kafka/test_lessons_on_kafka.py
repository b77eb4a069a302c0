"""Every lesson's experiment says the same thing on a real broker: the claims in its
[expect] table hold for the run on Apache Kafka, as they do on the simulator
(tests/unit/test_lessons.py), with the client the lesson's scenario names: confluent-kafka,
or Apache Kafka's own Java producer (lessons 8 to 10)."""

from __future__ import annotations

import pytest

from idemlab import backends
from idemlab.clients import JAVA
from idemlab.kafka.java_client import started_pids
from idemlab.lessons import check_run, load_all, scenario_for
from tests.java_needs import require_java_client

pytestmark = [pytest.mark.kafka, pytest.mark.usefixtures("shared_local_cluster")]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lesson", load_all(), ids=lambda lesson: lesson.slug)
def test_the_lessons_claims_hold_on_the_real_broker(lesson, java_required):
    on_java = scenario_for(lesson).client == JAVA
    if on_java:
        require_java_client()
    jvms_before = len(started_pids())
    # backends.run picks the runner by the scenario's client, as the lesson page does
    assert check_run(lesson, lambda scenario: backends.run(scenario, backends.LOCAL)) == []
    assert (len(started_pids()) > jvms_before) == on_java  # Java's own producer ran, in a JVM
