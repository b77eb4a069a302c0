"""The producer client chosen in the playground, Compare and the wire inspector."""

import re

from idemlab import clients
from idemlab.java_config import DELIVERY_TIMEOUT_MESSAGE
from tests.app.html_tables import html_frames


def _frames(at):
    return [e.value for e in at.dataframe] + [f for e in at.get("html") for f in html_frames(e.proto.body)]


def open_setup(at):
    at.session_state["pg.setup"] = True
    at.session_state["pg.tab"] = "Producer configuration"
    return at.run()


def test_the_playground_offers_both_clients_and_names_java_properties_its_way(open_page):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack"))
    picker = at.radio(key="pg.client")
    assert picker.options == ["librdkafka (confluent-kafka)", "Java (kafka-clients)"]
    assert picker.value == clients.LIBRDKAFKA
    assert at.number_input(key="pg.timeout").label == "message.timeout.ms"
    picker.set_value(clients.JAVA).run()
    assert not at.exception
    assert at.number_input(key="pg.timeout").label == "delivery.timeout.ms"
    assert at.number_input(key="pg.timeout").value == 120_000  # the Java client's own default
    assert at.query_params["client"] == clients.JAVA


def test_a_link_with_the_java_client_round_trips(open_page):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0", client="java", timeout="60000")
    assert "Java (kafka-clients)" in next(e.label for e in at.expander if e.label.startswith("Set up"))
    assert at.query_params["client"] == "java" and at.query_params["timeout"] == "60000"
    at = open_setup(at)
    assert at.radio(key="pg.client").value == clients.JAVA
    assert at.number_input(key="pg.timeout").value == 60_000


def test_a_hostile_client_value_is_refused_with_an_escaped_notice(open_page):
    at = open_page("pages/playground.py", scenario="lost-ack", client="<img src=x>`java")
    notices = " ".join(w.value for w in at.warning)
    assert "Ignored" in notices and "client=" in notices
    assert at.session_state["pg.client"] == clients.LIBRDKAFKA


def as_read(markdown: str) -> str:
    """The words an escaped message (ui/views/client_message) reads as on the page."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "").replace("`", "")


def test_a_config_only_java_refuses_shows_the_java_exception(open_page):
    # delivery.timeout.ms below linger.ms + request.timeout.ms: librdkafka takes it (its
    # alias of message.timeout.ms), the Java producer's constructor throws.
    at = open_page("pages/playground.py", scenario="lost-ack", client="java", timeout="3000")
    messages = [as_read(e.value) for e in at.error]
    assert any(
        m.startswith("The producer could not be created") and "Java (kafka-clients) says:" in m for m in messages
    )
    assert any(DELIVERY_TIMEOUT_MESSAGE in m for m in messages)
    assert not any("confluent-kafka) says" in m for m in messages)
    at = open_page("pages/playground.py", scenario="lost-ack", timeout="3000")
    assert not any("could not be created" in e.value for e in at.error)


def test_compare_puts_both_clients_stored_logs_side_by_side_for_lost_ack_without_idempotence(open_page):
    at = open_page("pages/compare.py", scenario="lost-ack", idem="0")
    at.radio(key="cmp.mode").set_value("librdkafka vs Java").run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert headers[:2] == ["librdkafka (confluent-kafka)", "Java (kafka-clients)"]
    # each side draws its own stored log: m2 twice for both clients without idempotence
    logs = [frame for frame in _frames(at) if "value" in frame.columns and "check" in frame.columns]
    ran_with = [c.value for c in at.caption if c.value.startswith("It ran with:")]
    assert "message.timeout.ms=300000" in ran_with[0] and "max.in.flight.requests.per.connection=1000000" in ran_with[0]
    assert "delivery.timeout.ms=120000" in ran_with[1] and "max.in.flight.requests.per.connection=5" in ran_with[1]
    assert len(logs) == 2
    for log in logs:
        assert list(log["value"]).count("m2") == 2


def test_the_wire_inspector_runs_the_chosen_client_and_switches_to_the_other(open_page, frame_with):
    at = open_page("pages/wire.py")
    at.radio(key="wire.client").set_value(clients.JAVA).run()
    at.button(key="wire.run").click().run()
    assert not at.exception
    run_line = next(m.value for m in at.markdown if m.value.startswith("**Run:**"))
    assert "Java (kafka-clients)" in run_line
    assert "base seq" in frame_with(at, "base seq").columns
    at.button(key="wire.other_client").click().run()
    run_line = next(m.value for m in at.markdown if m.value.startswith("**Run:**"))
    assert "librdkafka (confluent-kafka)" in run_line
    assert at.button(key="wire.other_client").label == "Run it again with Java (kafka-clients)"
