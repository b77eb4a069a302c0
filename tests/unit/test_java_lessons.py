"""What lessons 8 to 10 say about the runs beside their own (their checks and Going
further links), checked on the simulator; tests/kafka/test_java_lessons_on_kafka.py runs
the same claims on a real broker with both real clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from idemlab import scenarios, sim
from idemlab.lessons import check_expectations, load_all
from idemlab.model import Scenario
from idemlab.outcome import facts

LESSONS = {lesson.number: lesson for lesson in load_all()}


def variant(name: str, *overrides) -> Scenario:
    return scenarios.apply_overrides(scenarios.load(name), list(overrides))


# (what the lesson says, the scenario, what must hold of its run's facts)
CLAIMS: list[tuple[str, Scenario, Callable[[dict], bool]]] = [
    (
        "8: the seed's program as written stores m2 once, the broker recognising its retry",
        variant("seed-java"),
        lambda f: f["stored_values"] == ["m1", "m2", "m3"] and f["dedup_hits"] == 1 and f["producer_ids"],
    ),
    (
        "8: the seed's line next to acks=1 is the Java client's ConfigException",
        variant("seed-java-acks-1", ("enable.idempotence", True)),
        lambda f: "Must set acks to all in order to use the idempotent producer" in f["config_error"],
    ),
    (
        "8: the colleague's copy on confluent-kafka stores m2 twice",
        variant("seed-java-acks-1", ("client", "librdkafka")),
        lambda f: f["stored_values"] == ["m1", "m2", "m2", "m3"] and f["producer_id_assignments"] == 0,
    ),
    (
        "9: on librdkafka the later envelopes wait and the broker refuses nothing",
        variant("java-five-in-flight", ("client", "librdkafka")),
        lambda f: f["broker_errors"] == [] and f["stored_values"] == [f"m{i}" for i in range(1, 17)],
    ),
    (
        "9: Java with one request in flight: the later envelopes wait too",
        variant("java-five-in-flight", ("max.in.flight.requests.per.connection", 1)),
        lambda f: f["broker_errors"] == [] and f["reordered"] == 0,
    ),
    (
        "10: on librdkafka the out-of-order answer bumps the epoch and m2, m3 are stored in epoch 1",
        variant("java-out-of-order", ("client", "librdkafka")),
        lambda f: f["epochs"] == [0, 1] and f["epoch_bumps"] == 1 and f["stored_values"] == ["m1", "m2", "m3"],
    ),
    (
        "10: Java in gapless-fatal: m2 fails with RecordTooLargeException, epoch 1, m3 stored",
        variant("gapless-fatal", ("client", "java")),
        lambda f: (
            f["stored_values"] == ["m1", "m3"]
            and f["epochs"] == [0, 1]
            and not f["fatal"]
            and "RecordTooLargeException" in f["delivery_errors"]
        ),
    ),
    (
        "10: librdkafka with the gap-less guarantee stops with a fatal error",
        variant("gapless-fatal"),
        lambda f: f["fatal"] and "_GAPLESS_GUARANTEE" in f["fatal_error"] and f["stored_values"] == ["m1"],
    ),
]


@pytest.mark.parametrize(("claim", "scenario", "holds"), CLAIMS, ids=[c[0][:60] for c in CLAIMS])
def test_what_the_java_lessons_say_beside_their_own_run_holds_on_the_simulator(claim, scenario, holds):
    found = facts(sim.run(scenario))
    assert holds(found), {k: found[k] for k in ("stored_values", "epochs", "broker_errors", "config_error")}


@pytest.mark.parametrize("number", [9, 10])
def test_the_same_experiment_on_librdkafka_contradicts_the_java_lessons_claims(number):
    """The difference is the lesson: its claims must not hold for the other client."""
    lesson = LESSONS[number]
    other = variant(lesson.scenario, ("client", "librdkafka"))
    assert check_expectations(lesson, sim.run(other)) != []


def test_the_java_lessons_run_the_java_client_and_link_the_other_one():
    for number in (8, 9, 10):
        lesson = LESSONS[number]
        assert scenarios.load(lesson.scenario).client == "java"
        assert "client=librdkafka" in lesson.section("Going further")


def test_every_link_in_the_java_lessons_opens_its_set_up_without_a_notice():
    import re
    from urllib.parse import parse_qsl, urlsplit

    from ui.views import deeplink

    available = scenarios.available()
    for number in (8, 9, 10):
        text = "\n".join(LESSONS[number].sections.values())
        links = re.findall(r"\]\((/(?:playground|compare)\?[^)\s]+)\)", text)
        assert links, number
        for link in links:
            params = dict(parse_qsl(urlsplit(link).query))
            assert params["scenario"] in available, link
            _spec, notices = deeplink.decode(params, available)
            assert notices == [], (link, notices)


# What the Going further sections say each link shows, run as the playground builds it.
LINKS_SHOW = {
    "/playground?scenario=seed-java": lambda f: f["stored_values"] == ["m1", "m2", "m3"] and f["dedup_hits"] == 1,
    "/playground?scenario=seed-java-acks-1&idem=1": lambda f: "ConfigException" in f["config_error"],
    "/playground?scenario=seed-java-acks-1&client=librdkafka": lambda f: f["duplicates"] == 1,
    "/playground?scenario=java-five-in-flight&client=librdkafka": lambda f: f["broker_errors"] == [],
    "/playground?scenario=java-five-in-flight&inflight=1": lambda f: f["broker_errors"] == [],
    "/playground?scenario=java-out-of-order&client=librdkafka": lambda f: f["epochs"] == [0, 1],
    "/playground?scenario=gapless-fatal&client=java": lambda f: (
        f["stored_values"] == ["m1", "m3"] and f["epochs"] == [0, 1] and not f["fatal"]
    ),
    "/playground?scenario=gapless-fatal": lambda f: f["fatal"] and f["stored_values"] == ["m1"],
}


def test_each_playground_link_of_the_java_lessons_shows_what_the_lesson_says():
    import re
    from urllib.parse import parse_qsl, urlsplit

    from idemlab.producer_config import ConfigError
    from ui.views import deeplink
    from ui.views.playground_spec import build

    linked = {
        link
        for number in (8, 9, 10)
        for link in re.findall(r"\]\((/playground\?[^)\s]+)\)", "\n".join(LESSONS[number].sections.values()))
    }
    assert linked == set(LINKS_SHOW)
    for link, holds in LINKS_SHOW.items():
        spec, _notices = deeplink.decode(dict(parse_qsl(urlsplit(link).query)), scenarios.available())
        try:
            found = facts(sim.run(build(spec)))
        except (ConfigError, scenarios.ScenarioError) as refused:  # refused before the run
            found = {"config_error": str(refused)}
        assert holds(found), (link, found)
