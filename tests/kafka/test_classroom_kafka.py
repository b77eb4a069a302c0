"""The class store contract (tests/unit/test_classroom.py) on a real broker: the Kafka
store, answers produced with the idempotent producer to a compacted topic and read back;
the instructor's key (a second app process cannot end or reveal without it); a crowd on
several processes losing no acknowledged answer.  Plus what only Kafka can show: the
producer id and sequence numbers of the answers."""

from __future__ import annotations

import secrets

import pytest

from idemlab.classroom.kafka_store import KafkaStore
from idemlab.classroom.model import new_learner
from tests.unit.test_classroom import (  # noqa: F401 - the shared contract, collected here too
    T0,
    test_contract_a_class_expires,
    test_contract_a_class_gets_a_short_readable_code_and_can_be_found,
    test_contract_a_class_lasts_between_a_minute_and_a_day,
    test_contract_a_learners_action_is_stored_whole_or_not_at_all,
    test_contract_a_revealed_question_is_known_to_every_learner,
    test_contract_an_instructor_can_end_a_class_early,
    test_contract_answers_are_bounded_per_learner,
    test_contract_answers_are_tallied_one_per_learner_and_question,
    test_contract_classes_do_not_see_each_others_answers,
    test_contract_finished_lessons_are_counted,
    test_contract_only_the_instructors_key_ends_the_class_or_reveals,
    test_contract_the_class_is_bounded_in_learners,
    test_contract_the_key_is_secret_and_not_stored,
    test_contract_unknown_codes_are_refused,
    test_contract_what_a_visitor_sends_is_checked,
)

pytestmark = pytest.mark.kafka


@pytest.fixture
def clock():
    return [T0]


@pytest.fixture(scope="module")
def topic(kafka_cluster):
    return f"idemlab-classes-test-{secrets.token_hex(4)}"


@pytest.fixture
def store(kafka_cluster, topic, clock):
    store = KafkaStore(kafka_cluster.bootstrap, topic, clock=lambda: clock[0])
    yield store
    store.close()


def test_the_topic_is_compacted_and_the_producer_idempotent(kafka_cluster, store):
    from confluent_kafka.admin import AdminClient, ConfigResource

    admin = AdminClient({"bootstrap.servers": kafka_cluster.bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, store.topic)
    config = admin.describe_configs([resource])[resource].result(10)
    assert config["cleanup.policy"].value == "compact,delete"


def test_a_second_app_process_reads_the_same_class(kafka_cluster, topic, clock):
    first = KafkaStore(kafka_cluster.bootstrap, topic, clock=lambda: clock[0])
    second = KafkaStore(kafka_cluster.bootstrap, topic, clock=lambda: clock[0])
    try:
        code = first.open_class().code
        first.submit(code, new_learner(), "2.p", 1)
        second.submit(code, new_learner(), "2.p", 1)
        assert first.tally(code, "2.p", 4) == [0, 2, 0, 0]
        assert second.tally(code, "2.p", 4) == [0, 2, 0, 0]
    finally:
        first.close()
        second.close()


def test_the_broker_tells_the_producer_id_and_last_sequence_of_the_class_answers(store):
    code = store.open_class().code
    learner = new_learner()
    for lesson in range(1, 6):
        store.submit(code, learner, f"{lesson}.p", 0)
    producers = store.producers(code)
    assert producers, "DescribeProducers named no producer for the class's partition"
    mine = max(producers, key=lambda p: p["last_sequence"])
    assert mine["producer_id"] >= 0 and mine["epoch"] >= 0
    assert mine["last_sequence"] >= 5  # the class record and five answers, at least, in this partition
    assert mine["partition"] == store.partition_of(code)


def test_another_app_process_without_the_key_cannot_end_or_reveal(kafka_cluster, topic, clock):
    from idemlab.classroom import ClassError

    instructor = KafkaStore(kafka_cluster.bootstrap, topic, clock=lambda: clock[0])
    learner_side = KafkaStore(kafka_cluster.bootstrap, topic, clock=lambda: clock[0])
    try:
        hosting = instructor.open_class()
        learner = new_learner()
        learner_side.submit(hosting.code, learner, "3.p", 1)
        for guess in ("", hosting.code, learner, "x" * 24):
            with pytest.raises(ClassError, match="only the instructor's link"):
                learner_side.end_class(hosting.code, guess)
            with pytest.raises(ClassError, match="only the instructor's link"):
                learner_side.reveal(hosting.code, guess, "3.p")
        assert learner_side.revealed(hosting.code) == set()
        instructor.reveal(hosting.code, hosting.key, "3.p")
        assert learner_side.revealed(hosting.code) == {"3.p"}  # the learners' side sees the reveal
        learner_side.end_class(hosting.code, hosting.key)  # the key works from any process
        assert instructor.get_class(hosting.code) is None
    finally:
        instructor.close()
        learner_side.close()


def test_a_crowd_on_several_processes_loses_no_acknowledged_answer(kafka_cluster, topic):
    from idemlab.classroom import crowd, open_store

    settings = {"IDEMLAB_CLASS_STORE": "kafka", "IDEMLAB_CLASS_KAFKA": kafka_cluster.bootstrap}
    settings["IDEMLAB_CLASS_TOPIC"] = topic
    store = open_store(settings)
    try:
        code = store.open_class().code
        result = crowd.run(settings, code, learners=16, answers=10, at_once=8, processes=2)
        assert result.errors == []
        assert len(result.acknowledged) == 16 * 10
        assert crowd.lost(store, code, result) == []
    finally:
        store.close()
