"""A letter reported delivered without an offset: librdkafka's implicit acknowledgement.

When a batch of an idempotent producer succeeds, librdkafka reports the letters before it
that it has not acknowledged yet as delivered too, with no offset: the broker takes a
sender's sequence numbers only in order, so the success says they were written (on a
partition with no state for the sender that inference can be wrong: KAFKA-15591,
lesson 5).  Read from the trace alone (the fold's first report of the letter: no error,
no offset; the successful Produce answer before it), since the real back end's reports
carry no `implicit_ack` flag.  Other reports without an offset look the same (acks=0, a
DUPLICATE_SEQUENCE_NUMBER counted as delivered), so the answer is looked for only after
the event the caller speaks of: a letter's refusal.  Pure.
"""

from __future__ import annotations

from idemlab import model as m
from idemlab.timeline import State


def acknowledging_answer(events: list[m.Event], state: State, msg: int, after: int) -> int | None:
    """The index of the successful Produce answer, after event `after`, that got `msg`
    reported delivered without an offset (the latest such answer on its partition before
    its report); None when its first report (in `state`, the fold of `events`) is not
    such a report, or no such answer came between."""
    report = state.reports.first(msg)
    if report is None or report.get("error") is not None:
        return None
    offset = report.get("offset")
    if offset is not None and offset >= 0:
        return None
    partition, answer = report.get("partition"), None
    for i in range(after + 1, len(events)):
        event = events[i]
        if event.kind == m.DELIVERY_REPORT and event.get("msg") == msg:
            return answer
        if (
            event.kind == m.RESPONSE_RECEIVED
            and event.get("api") == m.PRODUCE
            and event.get("error") is None
            and event.get("partition") == partition
        ):
            answer = i
    return None
