"""Every lesson's experiment says the same thing on a real broker: the claims in its
[expect] table hold for the run on Apache Kafka with confluent-kafka, as they do on the
simulator (tests/unit/test_lessons.py)."""

from __future__ import annotations

import pytest

from idemlab.kafka.runner import run_on_kafka
from idemlab.lessons import check_run, load_all

pytestmark = [pytest.mark.kafka, pytest.mark.usefixtures("shared_local_cluster")]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lesson", load_all(), ids=lambda lesson: lesson.slug)
def test_the_lessons_claims_hold_on_the_real_broker(lesson, java_required):
    assert check_run(lesson, lambda scenario: run_on_kafka(scenario, "local")) == []
