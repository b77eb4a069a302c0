"""A Trace as one JSON document: `document()` as a dict, `write()` streamed to a file.

The keys, their order and their values are defined once, in `_fields`; both functions
use it, so the streamed text and the dict cannot disagree.  `write()` never holds the
whole document: the stored log, the delivery reports and the events (hundreds of
thousands of entries in a large run) are encoded a chunk at a time and written out.
Compact output goes through the json module's C encoder; indented output (for a
person at a terminal) through its pure-Python one, about ten times slower, which is why
the command line indents only for a terminal.  For 100,000 messages the compact path
was measured at 2.x the time of tomllib + json.dumps alone (benchmarks/cli_json.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

from idemlab.gc_pause import cyclic_gc_paused
from idemlab.model import Delivery, Event, StoredRecord, Trace
from idemlab.moments import Moment, key_moments
from idemlab.outcome import summarize, summarize_parts
from idemlab.timeline import fold

CHUNK = 2000  # entries encoded per call: large enough for the C encoder, small in memory
_esc = encode_basestring_ascii  # what the encoder does to a str (ensure_ascii, its default)


class _Rows:
    """A list in the document whose entries are made as they are written: `row` makes
    an entry's dict from an item; `compact`, when given, writes the compact text of a
    list of items directly (a fast path, about three times quicker than building the
    dicts for the C encoder, for the two lists that grow with the run).  It raises
    TypeError or ValueError for an item whose fields are not the types it expects, and
    that chunk then goes through the encoder (tests/unit/test_json_output.py compares the two)."""

    def __init__(
        self,
        items: Iterable[Any],
        row: Callable[[Any], dict[str, Any]],
        compact: Callable[[list[Any]], str] | None = None,
    ) -> None:
        self.items = items
        self.row = row
        self.compact = compact


def _stored_row(r: StoredRecord) -> dict[str, Any]:
    return {
        "partition": r.partition,
        "offset": r.offset,
        "key": r.key,
        "value": r.value,
        "producer_id": r.producer_id,
        "producer_epoch": r.producer_epoch,
        "sequence": r.sequence,
    }


def _stored_compact(records: list[StoredRecord]) -> str:
    return ",".join(
        [
            f'{{"partition":{r.partition:d},"offset":{r.offset:d},"key":{"null" if r.key is None else _esc(r.key)},'
            f'"value":{_esc(r.value)},"producer_id":{r.producer_id:d},"producer_epoch":{r.producer_epoch:d},'
            f'"sequence":{r.sequence:d}}}'
            for r in records
        ]
    )


def _delivery_row(d: Delivery) -> dict[str, Any]:
    return {"value": d.value, "partition": d.partition, "error": d.error, "offset": d.offset}


def _delivery_compact(deliveries: list[Delivery]) -> str:
    return ",".join(
        [
            f'{{"value":{_esc(d.value)},"partition":{"null" if d.partition is None else f"{d.partition:d}"},'
            f'"error":{"null" if d.error is None else _esc(d.error)},'
            f'"offset":{"null" if d.offset is None else f"{d.offset:d}"}}}'
            for d in deliveries
        ]
    )


def _fields(trace: Trace, include_events: bool) -> Iterator[tuple[str, Any]]:
    state = fold(trace.events)  # once: the deliveries, the outcome and the moments read it
    deliveries = state.deliveries()
    if trace.message_counts is not None:  # a very large run: reports counted, not traced
        outcome = summarize(trace, state)
    else:
        outcome = summarize_parts(trace.stored, deliveries, trace.fatal_error, trace.run_error, state.duplicates_caught)
    yield "scenario", trace.scenario
    yield "backend", trace.backend
    yield "config", trace.config
    yield "stored", _Rows(trace.stored, _stored_row, _stored_compact)
    yield "deliveries", _Rows(deliveries, _delivery_row, _delivery_compact)
    yield "duplicates", outcome.duplicates
    yield "duplicates_caught", outcome.duplicates_caught
    yield "lost", outcome.lost
    yield "reordered", outcome.reordered
    yield "failed_but_stored", len(outcome.failed_but_stored)
    yield "delivered_but_not_stored", len(outcome.delivered_but_not_stored)
    yield "fatal_error", trace.fatal_error
    yield "run_error", trace.run_error
    yield "summary", outcome.sentence()
    if trace.message_counts is not None:
        yield "message_counts", trace.message_counts
    # `event` indexes the `events` list below (with --trace), i.e. trace.events
    yield "moments", _Rows(key_moments(trace, outcome, state), Moment.to_dict)
    if include_events:
        yield "events", _Rows(trace.events, Event.to_dict)


def document(trace: Trace, include_events: bool = False) -> dict[str, Any]:
    """The whole document as a dict (what `write` writes)."""
    return {
        key: [value.row(item) for item in value.items] if isinstance(value, _Rows) else value
        for key, value in _fields(trace, include_events)
    }


def write(trace: Trace, out: TextIO, include_events: bool = False, indent: int | None = None) -> None:
    """Write the document to `out`: compact (no spaces) when indent is None, otherwise
    exactly the text of json.dumps(document(...), indent=indent, default=str)."""
    encoder = (
        json.JSONEncoder(separators=(",", ":"), default=str, check_circular=False)
        if indent is None
        else json.JSONEncoder(indent=indent, default=str)
    )
    encode = encoder.encode
    pad = "" if indent is None else "\n" + " " * indent
    inner = "" if indent is None else pad + " " * indent
    colon = ":" if indent is None else ": "
    with cyclic_gc_paused():
        out.write("{")
        first = True
        for key, value in _fields(trace, include_events):
            out.write(("" if first else ",") + pad + encode(key) + colon)
            first = False
            if not isinstance(value, _Rows):
                out.write(encode(value).replace("\n", pad) if pad else encode(value))
                continue
            out.write("[")
            items = iter(value.items)
            empty = True
            while chunk := list(islice(items, CHUNK)):
                if indent is not None:
                    text = ",".join(inner + encode(value.row(item)).replace("\n", inner) for item in chunk)
                else:
                    text = _compact(chunk, value, encode)
                out.write(text if empty else "," + text)
                empty = False
            out.write("]" if empty else pad + "]")
        out.write(pad[:1] + "}")


def _compact(chunk: list[Any], rows: _Rows, encode: Callable[[Any], str]) -> str:
    if rows.compact is not None:
        try:
            return rows.compact(chunk)
        except (TypeError, ValueError):  # a field of an unexpected type: the encoder decides
            pass
    return encode([rows.row(item) for item in chunk])[1:-1]
