"""Lessons 8 to 10 run the Java client on the lesson page, and the take-away of a Java run
puts the run's own Java program first, the confluent-kafka equivalent second."""

from __future__ import annotations

import pytest

from idemlab.lessons import load_all

JAVA_LESSONS = [lesson for lesson in load_all() if lesson.number >= 8]


def test_there_are_three_java_lessons_after_lesson_7():
    assert [lesson.slug for lesson in JAVA_LESSONS] == [
        "the-seeds-producer-in-java",
        "five-batches-in-flight",
        "an-out-of-order-answer",
    ]


@pytest.mark.parametrize("lesson", JAVA_LESSONS, ids=lambda lesson: lesson.slug)
def test_a_java_lesson_runs_on_its_page_and_the_right_prediction_is_right(open_page, lesson):
    at = open_page("pages/lesson.py", lesson=str(lesson.number))
    radio = at.radio(key=f"lesson.{lesson.number}.p")
    radio.set_value(lesson.prediction.choices[lesson.prediction.answer]).run()
    next(b for b in at.button if b.label == "Run the experiment").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Right.") for s in at.success)
    assert any("with the Java (kafka-clients) producer" in c.value for c in at.caption)  # the run names its client


def test_a_java_runs_take_away_shows_its_java_program_first_and_the_librdkafka_equivalent(open_page):
    at = open_page("pages/playground.py", scenario="seed-java", inflight="3")
    at.session_state["pg.takeaway"] = True
    at.run()
    assert not at.exception
    tabs = [t.label for t in at.tabs]
    assert tabs[:2] == [
        "Java (kafka-clients): this run's producer",
        "Python (confluent-kafka): the librdkafka equivalent",
    ]
    java, python = (c.value for c in at.code[:2])
    assert "props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);" in java
    assert "props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 3);" in java
    assert "'max.in.flight.requests.per.connection': 3," in python
    assert "equivalent of this run's Java producer" in python


def test_a_librdkafka_lesson_names_its_client_too(open_page):
    at = open_page("pages/lesson.py", lesson="1")
    at.radio(key="lesson.1.p").set_value(at.radio(key="lesson.1.p").options[1]).run()
    next(b for b in at.button if b.label == "Run the experiment").click().run()
    assert any("with the librdkafka (confluent-kafka) producer" in c.value for c in at.caption)


def test_a_librdkafka_runs_take_away_shows_python_first(open_page):
    at = open_page("pages/playground.py", scenario="lost-ack")
    at.session_state["pg.takeaway"] = True
    at.run()
    tabs = [t.label for t in at.tabs]
    assert tabs[:2] == ["Python (confluent-kafka): this run's producer", "Java (kafka-clients): the equivalent"]
    assert "ENABLE_IDEMPOTENCE_CONFIG, false" in at.code[1].value
