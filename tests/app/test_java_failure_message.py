"""A Java run's failed letter on the playground: the Java client's exception, the broker's
error it stands for and the exception's message, in the delivery table, escaped; no view
of the run uses librdkafka's name for the broker's error."""

from idemlab.sim import java_producer

TOO_LARGE = java_producer.JAVA_ERROR_MESSAGES[java_producer.MESSAGE_TOO_LARGE]


def page_text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "warning", "success", "info") for e in at.get(kind)]
    return "\n".join(str(part) for part in parts + [e.proto.body for e in at.get("html")])


def test_a_java_runs_failed_letter_shows_the_exception_the_brokers_error_and_the_message(open_page, frame_with):
    at = open_page("pages/playground.py", scenario="message-too-large", client="java")
    frame = frame_with(at, "delivery report")
    report = frame.loc[frame["message"] == "m2", "delivery report"].item()
    assert report == f"failed: RecordTooLargeException (broker: MESSAGE_TOO_LARGE)“{TOO_LARGE}”"  # <br> between
    text = page_text(at)
    assert "MESSAGE_TOO_LARGE" in text and "MSG_SIZE_TOO_LARGE" not in text


def test_a_librdkafka_runs_failed_letter_keeps_librdkafkas_name_and_no_message(open_page, frame_with):
    at = open_page("pages/playground.py", scenario="message-too-large")
    frame = frame_with(at, "delivery report")
    assert frame.loc[frame["message"] == "m2", "delivery report"].item() == "failed: MSG_SIZE_TOO_LARGE"
    assert "MESSAGE_TOO_LARGE" not in page_text(at)


def test_a_hostile_exception_message_is_shown_as_text_in_the_delivery_table(open_page, monkeypatch):
    hostile = '<img src=x onerror="alert(1)"><b>bold</b>'
    monkeypatch.setitem(java_producer.JAVA_ERROR_MESSAGES, java_producer.MESSAGE_TOO_LARGE, hostile)
    at = open_page("pages/playground.py", scenario="message-too-large", client="java")
    bodies = [e.proto.body for e in at.get("html") if "RecordTooLargeException" in e.proto.body]
    assert bodies, "no delivery table with the failed letter"
    for body in bodies:
        assert "<img" not in body and "<b>" not in body
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;b&gt;bold&lt;/b&gt;" in body


def test_a_hostile_exception_message_in_the_explanation_is_inert_markdown(open_page, monkeypatch):
    hostile = "[link](javascript:alert(1)) **bold** <b>tag</b>"
    monkeypatch.setitem(java_producer.JAVA_ERROR_MESSAGES, java_producer.MESSAGE_TOO_LARGE, hostile)
    at = open_page("pages/playground.py", scenario="message-too-large", client="java")
    quoting = [m.value for m in at.markdown if m.value.startswith("- ") and "link" in m.value]
    assert quoting, "no explanation quoted the exception's message"
    for sentence in quoting:
        assert "[link](" not in sentence and "**bold**" not in sentence and "<b>" not in sentence
        assert r"\[link\]" in sentence and "&lt;b&gt;" in sentence
