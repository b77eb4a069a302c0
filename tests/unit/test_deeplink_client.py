"""The producer client in a playground link: carried, validated, named its own way."""

import pytest

from idemlab import clients, scenarios
from ui.views import deeplink, safe
from ui.views.playground_spec import build, spec_for

NAMES = scenarios.available()


def test_a_java_link_round_trips_with_the_java_property_names():
    spec, notices = deeplink.decode({"scenario": "lost-ack", "client": "java", "timeout": "60000"}, NAMES)
    assert notices == []
    assert spec.client == clients.JAVA
    assert spec.producer["delivery.timeout.ms"] == 60_000 and "message.timeout.ms" not in spec.producer
    link = deeplink.encode(spec)
    assert link["client"] == "java" and link["timeout"] == "60000"
    assert deeplink.decode(link, NAMES)[0] == spec
    assert build(spec).client == clients.JAVA


def test_the_scenarios_own_client_is_left_out_of_the_link():
    link = deeplink.encode(spec_for("lost-ack"))
    assert "client" not in link
    assert deeplink.decode(link, NAMES)[0].client == clients.LIBRDKAFKA


def test_librdkafka_keeps_its_own_name_for_the_same_link_value():
    spec, _ = deeplink.decode({"scenario": "lost-ack", "timeout": "60000"}, NAMES)
    assert spec.producer["message.timeout.ms"] == 60_000 and "delivery.timeout.ms" not in spec.producer


@pytest.mark.parametrize("raw", ["kafka", "JAVA ", "java" + "a" * 5000, "<script>", "`java`", "ja\u200bva", ""])
def test_an_unknown_client_is_ignored_with_a_notice(raw):
    spec, notices = deeplink.decode({"scenario": "lost-ack", "client": raw}, NAMES)
    if raw.strip().lower() == "java":
        assert spec.client == clients.JAVA and notices == []
        return
    assert spec.client == clients.LIBRDKAFKA
    [notice] = notices
    assert notice.startswith("Ignored ") and safe.code(f"client={raw}", 40) in notice  # quoted, inert


def test_a_java_timeout_beyond_the_controls_range_is_dropped():
    spec, notices = deeplink.decode({"scenario": "lost-ack", "client": "java", "timeout": "300001"}, NAMES)
    assert "delivery.timeout.ms" not in spec.producer and len(notices) == 1


def test_a_fault_in_the_set_up_label_reads_as_words_not_as_the_links_token():
    from ui.views.playground_spec import fault_phrase

    assert fault_phrase({"request": "produce", "nth": 2, "action": "drop_response"}) == (
        "the answer to produce request 2 is lost"
    )
    assert "1:drop_response" not in fault_phrase({"request": "produce", "nth": 1, "action": "drop_response"})
    assert fault_phrase({"request": "init_producer_id", "nth": 1, "action": "error", "error": "X"}) == (
        "InitProducerId request 1 is answered with X"
    )
