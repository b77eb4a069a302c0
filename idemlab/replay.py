"""A whole run as one compact, JSON-ready document for the animated mail room.

`replay(trace)` gives every event (its sentence and what it moves: a letter sent, a
receipt back, a letter or receipt lost, the clerk's decision) and, for every stepping
position 0..len(events), the state of the four places: the sender's letters, the post
(requests in flight), the shelf (the partition log) and the notebook (the broker's
producer state).  Each state is idemlab.timeline.snapshot at that position, so the
browser only draws what the engine already decided; nothing here applies a Kafka rule.

Pure: no streamlit, no ui.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from idemlab import model as m
from idemlab import words
from idemlab.moments import key_moments
from idemlab.timeline import snapshot

FORMAT = 1
MAX_EVENTS = 2000  # beyond this the picture would be a blur; the views fall back to tables


def _moments(trace: m.Trace) -> list[dict[str, Any]]:
    return [{"kind": mo.kind, "event": int(mo.event), "text": str(mo.text)} for mo in key_moments(trace)]


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
        return {"a": a, "r": r, "init": init, "err": get("error") or ""}
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


class _Producer:
    """The sender's badge (PID, epoch, fatal) and which brokers are down, folded from
    the events as the timeline folds the rest."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.epoch: int | None = None
        self.fatal = ""
        self.down: set[Any] = set()

    def fold(self, event: m.Event) -> None:
        get = event.get
        if event.kind == m.PRODUCER_ID_ASSIGNED:
            self.pid, self.epoch = get("producer_id"), get("producer_epoch")
        elif event.kind == m.EPOCH_BUMP:
            self.pid, self.epoch = get("producer_id", self.pid), get("to_epoch")
        elif event.kind == m.PRODUCER_RESTART:
            self.pid, self.epoch, self.fatal = None, None, ""
        elif event.kind == m.FATAL_ERROR:
            self.fatal = str(get("error") or "fatal error")
        elif event.kind == m.BROKER_ACTION:
            broker = get("broker_id")
            if get("action") in ("stop", "kill"):
                self.down.add(broker)
            elif get("action") == "start":
                self.down.discard(broker)


def _frame(trace: m.Trace, position: int, producer: _Producer, names: dict[int, str]) -> dict[str, Any]:
    snap = snapshot(trace, position)
    decided: set[int] = set()
    lost: dict[int, str] = {}
    for event in trace.events[:position]:
        if event.get("api", m.PRODUCE) != m.PRODUCE:
            continue
        if event.kind == m.BROKER_DECISION:
            decided.add(event.get("request_no"))
        elif event.kind == m.FAULT_INJECTED and event.get("action") in (m.DROP_REQUEST, m.DROP_RESPONSE):
            lost[event.get("request_no")] = "letter" if event.get("action") == m.DROP_REQUEST else "receipt"
    post = []
    for e in snap.in_flight:
        r = e.get("request_no")
        phase = "lost_" + lost[r] if r in lost else ("receipt" if r in decided else "letter")
        post.append(
            {
                "r": r,
                "what": _letter_label(e),
                "ids": words.ids(e),
                "retry": (e.get("attempt") or 1) > 1,
                "phase": phase,
            }
        )
    sender = []
    for d in snap.deliveries:
        state = "delivered" if d.ok else ("waiting" if d.error == m.NO_REPORT else "failed")
        detail = words.offset_words(d.offset) if d.ok else ("" if state == "waiting" else str(d.error))
        sender.append({"what": words.letter(d.msg, d.value, names), "state": state, "detail": detail})
    seen: Counter = Counter()
    shelf = []
    for r in sorted(snap.stored, key=lambda r: (r.partition, r.offset)):
        seen[r.msg] += 1
        shelf.append(
            {
                "p": r.partition,
                "off": r.offset,
                "what": words.letter(r.msg, r.value, names),
                "ids": (
                    f"PID {r.producer_id} · epoch {r.producer_epoch} · seq {r.sequence}"
                    if r.sequence >= 0
                    else "no PID"
                ),
                "dup": bool(r.msg is not None and seen[r.msg] > 1),
            }
        )
    notes = [
        {
            "p": row.partition,
            "pid": row.producer_id,
            "epoch": row.producer_epoch,
            "batches": [list(b) for b in row.batches[-m.BATCHES_REMEMBERED :]],
        }
        for row in snap.producer_state
    ]
    produced = sum(1 for e in trace.events[:position] if e.kind == m.PRODUCE_CALLED)
    return {
        "sender": sender,
        "post": post,
        "shelf": shelf,
        "notes": notes,
        "pid": producer.pid,
        "epoch": producer.epoch,
        "fatal": producer.fatal,
        "down": sorted(str(b) for b in producer.down),
        "counts": {
            "produced": produced,
            "acknowledged": sum(1 for d in snap.deliveries if d.ok),
            "stored": len(snap.stored),
        },
    }


LISTS = ("sender", "post", "shelf", "notes")


class _Rows:
    """Interns the rows of one list (shelf, sender, ...) across frames: each distinct row
    is sent once, and a frame names its rows as runs of ids [[first, last], ...].  A shelf
    that only grows is then one run per frame, so a long run stays small."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.ids: dict[str, int] = {}

    def runs(self, rows: list[dict[str, Any]]) -> list[list[int]]:
        out: list[list[int]] = []
        for row in rows:
            text = json.dumps(row, sort_keys=True, default=str)
            if text not in self.ids:
                self.ids[text] = len(self.rows)
                self.rows.append(row)
            i = self.ids[text]
            if out and out[-1][1] == i - 1:
                out[-1][1] = i
            else:
                out.append([i, i])
        return out


def replay(trace: m.Trace, start: int = 0) -> dict[str, Any]:
    """The document the mail room component draws; `start` is where it opens.  Each
    frame's lists are runs of row ids into `rows` (see _Rows)."""
    events = trace.events[:MAX_EVENTS]
    producer = _Producer()
    interned = {name: _Rows() for name in LISTS}
    names = words.letter_names(trace.events)

    def compact(frame: dict[str, Any]) -> dict[str, Any]:
        return {**frame, **{name: interned[name].runs(frame[name]) for name in LISTS}}

    frames = [compact(_frame(trace, 0, producer, names))]
    for position, event in enumerate(events, 1):
        producer.fold(event)
        frames.append(compact(_frame(trace, position, producer, names)))
    partitions = sorted({r.partition for r in trace.stored} | {e.get("partition") or 0 for e in events})
    return {
        "format": FORMAT,
        "scenario": trace.scenario,
        "backend": trace.backend,
        "idempotent": bool(trace.config.get("enable.idempotence")) if trace.config else False,
        "partitions": len(partitions) or 1,
        "events": [{"kind": e.kind, "text": words.describe(e), **_move(e)} for e in events],
        "frames": frames,
        "rows": {name: interned[name].rows for name in LISTS},
        "moments": [mo for mo in _moments(trace) if 0 <= mo["event"] < len(events)],
        "start": max(0, min(int(start), len(events))),
        "truncated": len(trace.events) > len(events),
    }
