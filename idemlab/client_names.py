"""A run's errors in the words of the client that made it.

Every back end names a broker error in a trace by librdkafka's name (errors.py), whichever
client ran.  A Java learner never meets those names: the Java client reports an exception
class with a message (RecordTooLargeException, "The request included a message larger
than …") for the broker's MESSAGE_TOO_LARGE.  The views of a Java run read the trace
through this module; a librdkafka run is shown as it is.  Pure: no streamlit.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

from idemlab import errors, words
from idemlab import model as m
from idemlab.clients import JAVA, LIBRDKAFKA
from idemlab.timeline import Attempt, State


def client_of(trace: m.Trace) -> str:
    """The client that made `trace`.  A trace holds its client's effective settings under
    that client's own names (java_config.as_config, producer_config.as_config): only
    librdkafka's have message.timeout.ms, only the Java client's delivery.timeout.ms."""
    config = trace.config
    return JAVA if "delivery.timeout.ms" in config and "message.timeout.ms" not in config else LIBRDKAFKA


def in_client_names(trace: m.Trace) -> m.Trace:
    """`trace` with each broker error named as its client names it: for a Java run a copy
    whose events say MESSAGE_TOO_LARGE where they said MSG_SIZE_TOO_LARGE; any other run,
    or a Java run whose errors are named alike by both, is `trace` itself."""
    if client_of(trace) != JAVA:
        return trace
    renamed = {}
    for i, event in enumerate(trace.events):
        error = event.get("error")
        if error and (name := errors.client_name(error, JAVA)) != error:
            renamed[i] = _renamed(event, name)
    if not renamed:
        return trace
    return dataclasses.replace(trace, events=[renamed.get(i, e) for i, e in enumerate(trace.events)])


def _renamed(event: m.Event, name: str) -> m.Event:
    detail = event.detail
    if isinstance(detail, m.Detail):
        return event._replace(detail=dataclasses.replace(detail, error=name))
    return event._replace(detail={**detail, "error": name})


class Failure(NamedTuple):
    """What a failed delivery report said beyond its error's name."""

    broker: str | None  # the broker's error the exception stands for (MESSAGE_TOO_LARGE), if an answer carried it
    message: str | None  # the client's text for the error (the Java exception's message)


def delivery_failures(state: State) -> dict[int, Failure]:
    """For each produce() call whose first report (in the fold `state`) failed with a
    message (the Java client's reports carry one; librdkafka's do not): that message, and
    the broker's error when the exception is the Java client's name for the error of the
    answer to its batch's last send."""
    failed = {}
    for report in state.reports.list():
        msg = report.get("msg")
        if report.get("error") and report.get("message") and state.reports.first(msg) is report:
            failed[msg] = report
    if not failed:
        return {}
    last_send: dict[int, Attempt] = {}
    for send in state.paired_attempts():
        for msg in failed.keys() & set(send.request.get("msgs") or ()):
            last_send[msg] = send
    out = {}
    for msg, report in failed.items():
        send = last_send.get(msg)
        answer = send.response.get("error") if send is not None and send.response is not None else None
        out[msg] = Failure(_broker_error(report.get("error"), answer), report.get("message"))
    return out


def _broker_error(exception: str, answer: str | None) -> str | None:
    info = errors.ERRORS_BY_NAME.get(answer or "")
    if info is None or errors.JAVA_EXCEPTIONS.get(info.code) != exception:
        return None
    return info.kafka_name


def report_words(error: str, failure: Failure | None) -> str:
    """A failed report's error as the learner reads it beside the letter:
    "RecordTooLargeException (broker: MESSAGE_TOO_LARGE)"."""
    if failure is None or failure.broker is None:
        return error
    return f"{error} (broker: {failure.broker})"


def broker_words(failure: Failure) -> str:
    """What follows a failed report's "(RecordTooLargeException)" in a sentence."""
    return f", the Java client's name for the broker's {failure.broker}" if failure.broker else ""


def message_words(failure: Failure) -> str:
    """The sentence after one about a failed report: the exception's message, quoted.  A
    sentence of its own, so that a presenter's slide title (the first sentence) is short."""
    return f" The exception's message: “{words.first_line(failure.message)}”"
