"""A whole run as one compact, JSON-ready document for the animated mail room.

`replay(trace)` gives every event (its sentence and what it moves: a letter sent, a
receipt back, a letter or receipt lost, the clerk's decision) and, for every stepping
position 0..len(events), the state of the four places: the sender's letters, the post
(requests in flight), the shelf (the partition log) and the notebook (the broker's
producer state).  The frames are read from idemlab.timeline's states, made by one pass
of its step function, so the document is built in one pass too, and the browser only
draws what the engine already decided; nothing here applies a Kafka rule.

The document's keys are the schema below (Document and the TypedDicts it names);
ui/components/mailroom/mailroom.js reads them.  Keys are only ever added, never renamed.

Pure: no streamlit, no ui.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypedDict

from idemlab import model as m
from idemlab import words
from idemlab.moments import key_moments
from idemlab.outcome import repeats
from idemlab.timeline import State, states

FORMAT = 1
MAX_EVENTS = 2000  # beyond this the picture would be a blur; the views fall back to tables


# ---- the schema ---------------------------------------------------------------------


class Move(TypedDict, total=False):
    """What one event moves in the picture; `a` says which move, the rest are its
    arguments (absent when the move has none)."""

    kind: str  # the event's kind (model.py)
    text: str  # the event in plain words (words.describe)
    a: str  # send | lose_letter | lose_receipt | error | note | decide | receipt | epoch |
    #         fatal | pid | restart | broker | closed | report | produce
    r: int | None  # request number
    init: bool  # an InitProducerId request, not a Produce
    retry: bool  # a batch sent again
    what: str  # the letter's label
    ids: str  # "PID 0 · epoch 0 · seq 1" (words.ids_text)
    err: str  # an error's name, or ""
    res: str  # decide: appended | duplicate | rejected
    part: int  # decide: partition
    pid: int  # decide: producer id
    seq: int  # decide: base sequence
    off: int | None  # decide, receipt: base offset
    n: int  # decide: records in the batch
    to: int  # epoch: the new epoch (and "from": the old one; a Python keyword, so not listed)
    act: str  # broker: stop | kill | start | leader_change
    ok: bool  # report: delivered


class SenderRow(TypedDict):
    what: str  # the letter's name (words.letter)
    state: str  # delivered | waiting | failed
    detail: str  # where it was stored, or its error


class PostRow(TypedDict):
    r: int  # request number
    what: str
    ids: str
    retry: bool
    phase: str  # letter | receipt | lost_letter | lost_receipt (timeline.Flight)


class ShelfRow(TypedDict):
    p: int  # partition
    off: int  # offset
    what: str
    ids: str  # "PID 0 · epoch 0 · seq 1", or "no PID"
    dup: bool  # a later copy of a message already on the shelf


class NoteRow(TypedDict):
    p: int
    pid: int
    epoch: int
    batches: list[list[int]]  # model.REMEMBERED_FIELDS each, oldest first


class Counts(TypedDict):
    produced: int  # produce() calls
    acknowledged: int  # delivery reports that said delivered
    stored: int  # records on the shelf


class Frame(TypedDict):
    """The picture after `position` events; each list is runs [[first, last], ...] of
    row ids into Document.rows (one run per stretch of consecutive ids)."""

    sender: list[list[int]]
    post: list[list[int]]
    shelf: list[list[int]]
    notes: list[list[int]]
    pid: int | None  # the sender's badge
    epoch: int | None
    fatal: str
    down: list[str]  # brokers stopped or killed
    counts: Counts


class Rows(TypedDict):
    sender: list[SenderRow]
    post: list[PostRow]
    shelf: list[ShelfRow]
    notes: list[NoteRow]


class MomentEntry(TypedDict):
    kind: str  # moments.KINDS
    event: int  # index into events
    text: str


class Document(TypedDict):
    format: int
    scenario: str
    backend: str
    idempotent: bool
    partitions: int
    events: list[Move]
    frames: list[Frame]  # len(events) + 1: before the first event, then after each
    rows: Rows
    moments: list[MomentEntry]
    start: int  # the position the room opens at
    truncated: bool  # the run had more than MAX_EVENTS events
    batches_remembered: int  # model.BATCHES_REMEMBERED: the notebook's page size


LISTS = ("sender", "post", "shelf", "notes")


# ---- events ---------------------------------------------------------------------------


def _letter_label(event: m.Event) -> str:
    return words.values_text(event) or "(empty)"


def _move(event: m.Event) -> dict[str, Any]:
    """What the event moves in the picture (the JS animates by `a`)."""
    kind, get = event.kind, event.get
    r = get("request_no")
    init = get("api") == m.INIT_PRODUCER_ID
    if kind == m.REQUEST_SENT:
        return {
            "a": "send",
            "r": r,
            "init": init,
            "retry": (get("attempt") or 1) > 1,
            "what": "InitProducerId" if init else _letter_label(event),
            "ids": words.ids(event),
        }
    if kind == m.FAULT_INJECTED:
        action = get("action")
        a = {m.DROP_REQUEST: "lose_letter", m.DROP_RESPONSE: "lose_receipt", m.ERROR: "error"}.get(action, "note")
        return {"a": a, "r": r, "init": init, "err": get("error") or "", "act": action}  # "delay": an answer held up
    if kind == m.BROKER_DECISION:
        return {
            "a": "decide",
            "r": r,
            "res": get("result"),
            "part": get("partition"),
            "pid": get("producer_id"),
            "seq": get("base_sequence"),
            "off": get("base_offset"),
            "err": get("error") or "",
            "n": len(get("values") or ()),
        }
    if kind == m.RESPONSE_RECEIVED:
        return {"a": "receipt", "r": r, "init": init, "err": get("error") or "", "off": get("base_offset")}
    if kind == m.EPOCH_BUMP:
        return {"a": "epoch", "from": get("from_epoch"), "to": get("to_epoch")}
    if kind == m.FATAL_ERROR:
        return {"a": "fatal", "err": get("error") or ""}
    if kind == m.PRODUCER_ID_ASSIGNED:
        return {"a": "pid"}
    if kind == m.PRODUCER_RESTART:
        return {"a": "restart"}
    if kind == m.BROKER_ACTION:
        return {"a": "broker", "act": get("action")}
    if kind == m.CONNECTION_CLOSED:
        return {"a": "closed"}
    if kind == m.DELIVERY_REPORT:
        return {"a": "report", "ok": not get("error")}
    if kind == m.PRODUCE_CALLED:
        return {"a": "produce"}
    return {"a": "note"}


# ---- frames ---------------------------------------------------------------------------


class _Rows:
    """Interns the rows of one list (shelf, sender, ...) across frames: each distinct row
    is sent once, and a frame names its rows as runs of ids [[first, last], ...].  A shelf
    that only grows is then one run per frame, so a long run stays small.  Rows are
    found by a hashable key, so a frame costs one dictionary look-up per row."""

    def __init__(self, make: Callable[[Any], dict[str, Any]]) -> None:
        self.make = make
        self.rows: list[dict[str, Any]] = []
        self.ids: dict[Hashable, int] = {}

    def runs(self, keys: list[Hashable]) -> list[list[int]]:
        out: list[list[int]] = []
        ids = self.ids
        for key in keys:
            i = ids.get(key)
            if i is None:
                i = ids[key] = len(self.rows)
                self.rows.append(self.make(key))
            if out and out[-1][1] == i - 1:
                out[-1][1] = i
            else:
                out.append([i, i])
        return out


def _sender_row(key: tuple) -> SenderRow:
    what, state, detail = key
    return {"what": what, "state": state, "detail": detail}


def _post_row(key: tuple) -> PostRow:
    r, what, ids, retry, phase = key
    return {"r": r, "what": what, "ids": ids, "retry": retry, "phase": phase}


def _shelf_row(key: tuple) -> ShelfRow:
    p, off, what, ids, dup = key
    return {"p": p, "off": off, "what": what, "ids": ids, "dup": dup}


def _note_row(key: tuple) -> NoteRow:
    p, pid, epoch, batches = key
    return {"p": p, "pid": pid, "epoch": epoch, "batches": [list(b) for b in batches]}


def _repeats(first: m.StoredRecord | None, record: m.StoredRecord) -> bool:
    """Whether a record repeats a message whose first copy is `first` (by identity: two
    copies may hold equal fields)."""
    return first is not None and first is not record


class _Frames:
    """The frames of one forward pass over the states: each list is rebuilt only when
    its part of the state changed, and the sender's letters and the shelf are updated by
    what was added since the previous frame, so a run's frames cost what changed."""

    def __init__(self, trace: m.Trace, names: dict[int, str]) -> None:
        self.trace = trace
        self.names = names
        self.interned = {
            "sender": _Rows(_sender_row),
            "post": _Rows(_post_row),
            "shelf": _Rows(_shelf_row),
            "notes": _Rows(_note_row),
        }
        self.last: dict[str, tuple[Any, list[list[int]]]] = {}  # list name -> (what it was made of, runs)
        self.sender: list[tuple] = []
        self.sender_at: dict[int, int] = {}  # msg -> its place in self.sender
        self.seen = (0, 0)  # produce() calls and reports already in self.sender
        self.shelf: list[tuple] = []
        self.shelved = 0  # records already in self.shelf

    def _runs(self, name: str, made_of: Any, keys: Callable[[], list[Hashable]]) -> list[list[int]]:
        last = self.last.get(name)
        if last is not None and last[0] == made_of:
            return last[1]
        runs = self.interned[name].runs(keys())
        self.last[name] = (made_of, runs)
        return runs

    def _sender_keys(self, state: State) -> list[tuple]:
        calls, reports = state.calls, state.reports
        seen_calls, seen_reports = self.seen
        for call in calls.since(seen_calls):
            msg = call.get("msg")
            self.sender_at.setdefault(msg, len(self.sender))
            self.sender.append((words.letter(msg, call.get("value"), self.names), "waiting", ""))
        for report in reports.since(seen_reports):
            msg = report.get("msg")
            if reports.first(msg) is not report or msg not in self.sender_at:
                continue  # only a call's first report counts
            place = self.sender_at[msg]
            error = report.get("error")
            what = self.sender[place][0]
            self.sender[place] = (
                (what, "delivered", words.offset_words(report.get("offset")))
                if error is None
                else (what, "failed", str(error))
            )
        self.seen = (len(calls), len(reports))
        return self.sender

    def _shelf_keys(self, state: State) -> list[tuple]:
        names = self.names
        added = state.stored.since(self.shelved)
        rows = [
            (
                r.partition,
                r.offset,
                words.letter(r.msg, r.value, names),
                words.ids_text(r.producer_id, r.producer_epoch, r.sequence),
                _repeats(state.first_copy(r.msg), r),
            )
            for r in added
        ]
        if rows and self.shelf and rows[0][:2] < self.shelf[-1][:2]:  # another partition's records: sort
            self.shelf = sorted(self.shelf + rows, key=lambda row: row[:2])
        else:
            self.shelf.extend(sorted(rows, key=lambda row: row[:2]))
        self.shelved = len(state.stored)
        return self.shelf

    def _final_shelf_keys(self, records: list[m.StoredRecord]) -> list[tuple]:
        """The log the back end read back, at the end of the run."""
        repeated = repeats(records)
        return [
            (
                r.partition,
                r.offset,
                words.letter(r.msg, r.value, self.names),
                words.ids_text(r.producer_id, r.producer_epoch, r.sequence),
                (r.partition, r.offset) in repeated,
            )
            for r in sorted(records, key=lambda r: (r.partition, r.offset))
        ]

    def frame(self, state: State, final: bool) -> Frame:
        stored = len(state.stored)
        if final and (self.trace.stored or not stored):
            records = list(self.trace.stored)
            shelf = self._runs("shelf", ("final", len(records)), lambda: self._final_shelf_keys(records))
            stored = len(records)
        else:
            shelf = self._runs("shelf", stored, lambda: self._shelf_keys(state))
        return {
            "sender": self._runs("sender", (len(state.calls), len(state.reports)), lambda: self._sender_keys(state)),
            "post": self._runs(
                "post",
                state.in_flight,
                lambda: [
                    (
                        f.request.get("request_no"),
                        _letter_label(f.request),
                        words.ids(f.request),
                        (f.request.get("attempt") or 1) > 1,
                        f.phase,
                    )
                    for f in state.flights()
                ],
            ),
            "shelf": shelf,
            "notes": self._runs(
                "notes",
                state.producer_state,
                lambda: [
                    (row.partition, row.producer_id, row.producer_epoch, row.batches[-m.BATCHES_REMEMBERED :])
                    for row in state.producer_state_rows()
                ],
            ),
            "pid": state.producer_id,
            "epoch": state.producer_epoch,
            "fatal": state.fatal,
            "down": sorted(str(b) for b in state.down),
            "counts": {"produced": len(state.calls), "acknowledged": state.acknowledged, "stored": stored},
        }


def replay(trace: m.Trace, start: int = 0) -> Document:
    """The document the mail room component draws; `start` is where it opens."""
    events = trace.events[:MAX_EVENTS]
    names = words.letter_names(trace.events)
    frames = _Frames(trace, names)
    truncated = len(trace.events) > len(events)
    whole = []
    for state in states(events):
        whole.append(frames.frame(state, not truncated and state.position == len(events)))
    partitions = sorted({r.partition for r in trace.stored} | {e.get("partition") or 0 for e in events})
    moments = key_moments(trace, state=None if truncated else state)  # the last state folds the whole run
    return {
        "format": FORMAT,
        "scenario": trace.scenario,
        "backend": trace.backend,
        "idempotent": bool(trace.config.get("enable.idempotence")) if trace.config else False,
        "partitions": len(partitions) or 1,
        "events": [{"kind": e.kind, "text": words.describe(e), **_move(e)} for e in events],
        "frames": whole,
        "rows": {name: frames.interned[name].rows for name in LISTS},
        "moments": [
            {"kind": mo.kind, "event": int(mo.event), "text": str(mo.text)}
            for mo in moments
            if 0 <= mo.event < len(events)
        ],
        "start": max(0, min(int(start), len(events))),
        "truncated": truncated,
        "batches_remembered": m.BATCHES_REMEMBERED,
    }


__all__ = ["FORMAT", "MAX_EVENTS", "Document", "replay"]
