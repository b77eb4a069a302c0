"""Letters reported delivered without an offset: librdkafka's implicit acknowledgement.

When a batch of an idempotent producer succeeds, librdkafka reports the letters before it
that still await their own answer as delivered too, with no offset: the broker takes a
sender's sequence numbers only in order, so the success says they were written (on a
partition with no state for the sender that inference can be wrong: KAFKA-15591,
lesson 5).  Read from the trace alone (a report with no error and no offset, the
successful Produce answer before it), since the real back end's reports carry no
`implicit_ack` flag.  Other reports without an offset look the same here (acks=0, a
DUPLICATE_SEQUENCE_NUMBER counted as delivered): a reader that names the later answer
checks it came after what it speaks of.  Pure.
"""

from __future__ import annotations

from typing import NamedTuple

from idemlab import model as m


class ImplicitAck(NamedTuple):
    msg: int
    report: int  # index of the letter's (first) delivery report in the events
    answer: int | None  # index of the latest successful Produce answer on its partition before the report


def implicit_acks(events: list[m.Event]) -> dict[int, ImplicitAck]:
    """msg -> its implicit acknowledgement, for each letter whose first report says delivered
    without an offset."""
    latest: dict[object, int] = {}
    reported: set[int] = set()
    out: dict[int, ImplicitAck] = {}
    for i, event in enumerate(events):
        kind, get = event.kind, event.get
        if kind == m.RESPONSE_RECEIVED and get("api") == m.PRODUCE and not get("error"):
            latest[get("partition")] = i
        elif kind == m.DELIVERY_REPORT and get("msg") not in reported:
            reported.add(get("msg"))
            offset = get("offset")
            if not get("error") and (offset is None or offset < 0):
                out[get("msg")] = ImplicitAck(get("msg"), i, latest.get(get("partition")))
    return out
