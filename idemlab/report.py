"""A Trace as JSON, as CSV (idemlab/tables.py holds the tables), and as a readable
account for the terminal."""

from __future__ import annotations

import io
from typing import Any

from idemlab import json_output, tables, words
from idemlab.client_names import in_client_names
from idemlab.model import Trace
from idemlab.outcome import summarize


def to_dict(trace: Trace, include_events: bool = False) -> dict[str, Any]:
    """The run as one JSON-ready dict; the keys live in idemlab/json_output.py."""
    return json_output.document(trace, include_events)


def to_json(trace: Trace, include_events: bool = False, indent: int | None = 2) -> str:
    """The same document as text (compact with indent=None); large runs should stream
    it with json_output.write instead of holding the text."""
    buffer = io.StringIO()
    json_output.write(trace, buffer, include_events, indent)
    return buffer.getvalue()


def to_csv(trace: Trace) -> str:
    return tables.raw_events_frame(trace).to_csv(index=False)


def account(trace: Trace, with_events: bool = True) -> str:
    trace = in_client_names(trace)  # a Java run's broker errors as the Java client names them
    lines = [f"Scenario {trace.scenario} on back end {trace.backend}"]
    if with_events:
        lines += [f"{e.t_ms:10.1f} ms  {words.describe(e, words.TERSE)}" for e in trace.events]
    lines.append("Stored log:")
    for r in trace.stored:
        ids = words.ids_text(r.producer_id, r.producer_epoch, r.sequence)
        lines.append(f"  p{r.partition} offset {r.offset}: {r.value}  ({ids})")
    if not trace.stored:
        lines.append("  (empty)")
    lines.append("Outcome: " + summarize(trace).sentence())
    return "\n".join(lines)
