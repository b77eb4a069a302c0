"""What a Java run's failures say: the Java client's exception with its message, and the
broker's errors under the broker's names (MESSAGE_TOO_LARGE, not librdkafka's
MSG_SIZE_TOO_LARGE), in the tables, the key moments, the explanation, the mail room and
the text account; a librdkafka run is shown as before."""

import dataclasses
import json

import pytest

from idemlab import clients, errors, replay, report, scenarios, sim, tables
from idemlab import model as m
from idemlab.client_names import client_of, delivery_failures, in_client_names
from idemlab.explain import explain
from idemlab.moments import key_moments
from idemlab.sim.java_producer import JAVA_ERRORS
from idemlab.timeline import fold
from ui.views.html_table import html_table

TOO_LARGE = "The request included a message larger than the max message size the server will accept."


def run(name: str, client: str, *overrides) -> m.Trace:
    scenario = dataclasses.replace(scenarios.load(name), client=client)
    return sim.run(scenarios.apply_overrides(scenario, list(overrides)))


def java_lost_ack_without_retries() -> m.Trace:
    """m2's answer is lost and the Java client may not retry: reported failed, yet stored."""
    return run("lost-ack", clients.JAVA, ("retries", 0), ("request.timeout.ms", 1000))


def views_text(trace: m.Trace) -> str:
    shown = in_client_names(trace)
    return "\n".join(
        [
            *(moment.text for moment in key_moments(trace)),
            *explain(trace),
            report.account(trace),
            tables.events_frame(shown.events).to_string(),
            tables.deliveries_frame(shown.deliveries, shown.stored, fold(shown.events)).to_string(),
            json.dumps(replay.replay(shown)),  # the mail room's picture and its words
        ]
    )


def test_the_views_name_each_broker_errors_java_exception_as_the_java_model_raises_it():
    assert {code: name for code, (name, _retriable) in JAVA_ERRORS.items()} == errors.JAVA_EXCEPTIONS


@pytest.mark.parametrize("name", sorted(scenarios.available()))
def test_a_run_is_known_by_the_client_that_made_it(name):
    assert client_of(run(name, clients.JAVA)) == clients.JAVA
    assert client_of(run(name, clients.LIBRDKAFKA)) == clients.LIBRDKAFKA


def test_a_java_run_names_the_brokers_error_as_the_broker_does():
    trace = run("message-too-large", clients.JAVA)
    named = in_client_names(trace)
    errors_named = {e.get("error") for e in named.events if e.kind in (m.BROKER_DECISION, m.RESPONSE_RECEIVED)}
    assert "MESSAGE_TOO_LARGE" in errors_named and "MSG_SIZE_TOO_LARGE" not in errors_named
    assert [e.kind for e in named.events] == [e.kind for e in trace.events]
    assert any(e.get("error") == "MSG_SIZE_TOO_LARGE" for e in trace.events)  # the trace itself is left as it was


def test_a_librdkafka_run_is_shown_as_it_is():
    trace = run("message-too-large", clients.LIBRDKAFKA)
    assert in_client_names(trace) is trace
    assert delivery_failures(fold(trace.events)) == {}


def test_no_view_of_a_java_run_uses_librdkafkas_name_for_a_too_large_message():
    text = views_text(run("message-too-large", clients.JAVA))
    assert "MSG_SIZE_TOO_LARGE" not in text
    assert "MESSAGE_TOO_LARGE" in text


def test_a_librdkafka_runs_views_keep_librdkafkas_name():
    text = views_text(run("message-too-large", clients.LIBRDKAFKA))
    assert "MSG_SIZE_TOO_LARGE" in text
    assert "MESSAGE_TOO_LARGE" not in text


def test_the_delivery_table_gives_the_java_exception_the_brokers_error_and_the_message_beneath():
    trace = run("message-too-large", clients.JAVA)
    frame = tables.deliveries_frame(trace.deliveries, trace.stored, fold(trace.events))
    report_cell = frame.loc[frame["message"] == "m2", "delivery report"].item()
    assert report_cell == f"failed: RecordTooLargeException (broker: MESSAGE_TOO_LARGE)\n“{TOO_LARGE}”"
    assert list(frame.columns) == ["message", "value", "delivery report", "stored at offsets", "verdict"]


def test_a_librdkafka_delivery_table_has_no_message_line_and_no_extra_column():
    trace = run("message-too-large", clients.LIBRDKAFKA)
    frame = tables.deliveries_frame(trace.deliveries, trace.stored, fold(trace.events))
    assert frame.loc[frame["message"] == "m2", "delivery report"].item() == "failed: MSG_SIZE_TOO_LARGE"
    assert list(frame.columns) == ["message", "value", "delivery report", "stored at offsets", "verdict"]


def test_a_failure_no_broker_answer_caused_has_its_message_but_no_broker_error():
    trace = java_lost_ack_without_retries()
    failure = delivery_failures(fold(trace.events))[2]
    assert failure.broker is None
    assert failure.message.startswith("Disconnected from node 1")
    frame = tables.deliveries_frame(trace.deliveries, trace.stored, fold(trace.events))
    assert frame.loc[frame["message"] == "m2", "delivery report"].item() == (
        f"failed: NetworkException\n“{failure.message}”"
    )


def test_the_lost_moment_of_a_java_run_quotes_the_exception_and_names_the_brokers_error():
    lost = [mo.text for mo in key_moments(run("message-too-large", clients.JAVA)) if mo.kind == "lost"]
    assert lost == [
        "m2 never reaches the shelf, and the delivery report says so (RecordTooLargeException), the Java client's "
        f"name for the broker's MESSAGE_TOO_LARGE. The exception's message: “{TOO_LARGE}”"
    ]


def test_a_java_failure_that_is_stored_all_the_same_quotes_the_exception_in_its_moment_and_explanation():
    trace = java_lost_ack_without_retries()
    message = delivery_failures(fold(trace.events))[2].message
    moments = [mo.text for mo in key_moments(trace) if mo.kind == "failed_but_stored"]
    assert moments == [
        "m2 is reported failed (NetworkException), but it is on the shelf: failed does not mean absent. "
        f"The exception's message: “{message}”"
    ]
    assert any(
        sentence.startswith("m2 was reported as failed (NetworkException) but it is stored")
        and sentence.endswith(f"The exception's message: “{message}”")
        for sentence in explain(trace)
    )


def test_the_explanation_of_a_java_run_quotes_the_exception_of_a_lost_letter():
    sentences = explain(run("message-too-large", clients.JAVA))
    assert (
        "m2 is not in the log (RecordTooLargeException), the Java client's name for the broker's MESSAGE_TOO_LARGE. "
        f"The exception's message: “{TOO_LARGE}”"
    ) in sentences


def test_a_moment_given_the_callers_fold_of_a_java_run_still_uses_the_java_names():
    trace = run("message-too-large", clients.JAVA)
    assert key_moments(trace, state=fold(trace.events)) == key_moments(trace)


def test_a_hostile_exception_message_is_inert_in_the_html_table():
    hostile = '<img src=x onerror="alert(1)">\x1b[31m'
    events = [
        m.event(0, m.PRODUCE_CALLED, msg=1, value="m1", key=None, partition=0),
        m.event(1, m.DELIVERY_REPORT, msg=1, value="m1", partition=0, offset=None, error="KafkaException"),
    ]
    events[1] = events[1]._replace(detail=dataclasses.replace(events[1].detail, message=hostile))
    deliveries = [m.Delivery(1, "m1", 0, None, "KafkaException")]
    html = html_table(tables.deliveries_frame(deliveries, [], fold(events)))
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "\x1b" not in html and "\\x1b[31m" in html
    assert "failed: KafkaException<br>“&lt;img" in html
