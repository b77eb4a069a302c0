"""How the animated mail room moves: the trips of its envelopes and the time each event
takes when played.  Pure: it reads idemlab.replay's document (events and frames) and
decides nothing about Kafka; mailroom.js draws a trip's envelope at any playhead and
stops one press of Next at the positions `stops` gives.

Positions are the document's stepping positions: position k is the state after k events,
and event k happens between positions k and k+1.  A trip runs from one position to
another, so an envelope moves continuously while the playhead crosses the events between.

A trip: {"k": key, "kind": "letter" | "init" | "form" (a refused registration), "r": request number,
"name": the request in words ("request #3", "the registration (InitProducerId)"), "what", "ids", "retry",
"s": send position, "a": arrival position, "fate": "in" (reaches the post office) |
"door" (stopped at its door: an injected error) | "lost" | "gone" (no longer in flight:
the connection closed or the producer gave up) | "refused", "g": the position it leaves the post,
"back": the reply or None}.  A reply: {"s", "a", "fate": "in" (reaches the sender) |
"lost" | "gone", "err", "off", "dup", "label"}.
"""

from __future__ import annotations

import re
from typing import Any

from ui.views.in_flight import requests_in_flight, unanswered_words

# Milliseconds an event takes at normal speed: moving things get time, bookkeeping little.
BEAT_MS = {
    "send": 700,
    "decide": 700,
    "receipt": 650,
    "lose_letter": 800,
    "lose_receipt": 800,
    "error": 700,
    "epoch": 600,
    "fatal": 900,
    "restart": 700,
    "broker": 600,
    "closed": 250,
    "pid": 200,
    "report": 150,
    "produce": 120,
    "note": 80,
    "refuse": 1800,
}
INIT_BEAT_MS = 220  # the producer-id exchange folds into one short movement
HOLD_MS = 1100  # a pause on a key moment while playing
QUICK_MOMENTS = {"new_producer_id": 250}  # not the lesson's point: barely a pause
PLAY_BUDGET_MS = 18_000  # a lesson's run plays within this at normal speed ...
MIN_SCALE = 0.45  # ... unless that would make it a blur: a long run plays longer
NEXT_MS = 1_500  # one press of Next: the movement to the next moment, condensed


def _gone(in_post: list[set[int]], r: int, after: int) -> int:
    for position in range(after + 1, len(in_post)):
        if r not in in_post[position]:
            return position
    return len(in_post)  # still in flight at the end


def _pid_label(doc: dict[str, Any], events: list[dict], after: int) -> str:
    for i in range(after, len(events)):
        if events[i]["a"] == "pid":
            pid = doc["frames"][i + 1].get("pid")
            return f"PID {pid}" if pid is not None else "PID"
    return "PID"


def trips(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every envelope of the run, in the order it was sent."""
    events = doc["events"]
    in_post = requests_in_flight(doc)
    out: list[dict[str, Any]] = []
    open_trips: dict[tuple[bool, int], dict[str, Any]] = {}
    names = registrations(doc)
    for i, e in enumerate(events):
        a = e["a"]
        if a == "refuse":  # the client library refuses the registration: nothing leaves the sender
            out.append(
                {
                    "k": "form",
                    "kind": "form",
                    "r": 0,
                    "name": "the registration",
                    "what": "registration",
                    "ids": "",
                    "retry": False,
                    "s": i,
                    "a": i + 1,
                    "fate": "refused",
                    "g": len(doc["frames"]),
                    "back": None,
                }
            )
            continue
        key = (bool(e.get("init")), e.get("r"))
        if a == "send":
            trip = {
                "k": f"{'i' if e.get('init') else 'p'}{e['r']}.{i}",
                "kind": "init" if e.get("init") else "letter",
                "r": e["r"],
                "name": names.get(e["r"], "the registration") if e.get("init") else f"request #{e['r']}",
                "what": "PID?" if e.get("init") else str(e.get("what", "")),
                "ids": str(e.get("ids", "")),
                "retry": bool(e.get("retry")),
                "s": i,
                "a": i + 1 if e.get("init") else None,
                "fate": "in" if e.get("init") else None,
                "g": None,
                "back": None,
            }
            open_trips[key] = trip
            out.append(trip)
            continue
        trip = open_trips.get(key) if "r" in e else None
        if trip is None:
            continue
        if a == "decide" and trip["a"] is None:
            trip["a"], trip["fate"] = i + 1, "in"
            trip["back"] = {
                "s": i + 1,
                "a": None,
                "fate": None,
                "err": e.get("err") or "",
                "off": e.get("off"),
                "dup": e.get("res") == "duplicate",
                "label": "",
            }
        elif a == "error" and trip["a"] is None:
            trip["a"], trip["fate"] = i + 1, "door"
            trip["back"] = {
                "s": i + 1,
                "a": None,
                "fate": None,
                "err": e.get("err") or "",
                "off": None,
                "dup": False,
                "label": "",
            }
        elif a == "lose_letter" and trip["a"] is None:
            trip["a"], trip["fate"] = i + 1, "lost"
        elif a == "lose_receipt" and trip["back"] is not None:
            trip["back"].update(a=i + 1, fate="lost")
        elif a == "receipt":
            back = trip["back"] or {"s": trip["a"] or i, "a": None, "fate": None, "off": None, "dup": False}
            back.update(err=e.get("err") or "", off=e.get("off") if e.get("off") is not None else back["off"])
            if back["a"] is None:
                back.update(a=i + 1, fate="in")
            trip["back"] = back
            open_trips.pop(key, None)
    for trip in out:
        if trip["kind"] == "init":
            trip["g"] = trip["back"]["a"] if trip["back"] else len(doc["frames"])
        else:
            trip["g"] = _gone(in_post, trip["r"], trip["s"])
        if trip["a"] is None:  # never arrived: it fades where it is when it leaves the post
            trip["a"], trip["fate"] = max(trip["g"], trip["s"] + 1), "gone"
        back = trip["back"]
        if back is not None:
            if back["a"] is None:
                back["a"], back["fate"] = max(trip["g"], back["s"] + 1), "gone"
            back["label"] = _reply_label(trip, back, doc, events)
    return out


def _reply_label(trip: dict, back: dict, doc: dict, events: list[dict]) -> str:
    if back["err"]:
        return back["err"]
    if trip["kind"] == "init":
        return _pid_label(doc, events, back["a"] - 1)
    off = back.get("off")
    return f"@{off}" if isinstance(off, int) and off >= 0 else "OK"


def stops(doc: dict[str, Any]) -> list[int]:
    """Where one press of Next stops: at every key moment, at the first refusal of each kind,
    and wherever the number of requests in flight changes while two or more are in flight
    (envelopes in the post together are what a lesson on in-flight requests points at; one
    envelope going out and back is already framed by the moments)."""
    in_post = [len(keys) for keys in requests_in_flight(doc)]
    together = {
        position
        for position in range(1, len(in_post))
        if in_post[position] != in_post[position - 1] and max(in_post[position], in_post[position - 1]) > 1
    }
    return sorted(together | first_refusals(doc) | {mo["event"] + 1 for mo in doc.get("moments", ())})


def first_refusals(doc: dict[str, Any]) -> set[int]:
    """The position after the post office's first refusal of a letter with each error (an
    error at its door or a rejecting decision): the refusal a lesson's text talks about,
    whether or not it is a key moment (lesson 9's NOT_ENOUGH_REPLICAS is not).  A refused
    producer-id request is left out: its moment, the id handed out, tells it."""
    first: dict[str, int] = {}
    for i, e in enumerate(doc["events"]):
        if e["a"] in ("error", "decide") and e.get("err") and not e.get("init"):
            first.setdefault(str(e["err"]), i + 1)
    return set(first.values())


def together(doc: dict[str, Any]) -> dict[str, str]:
    """Position -> what the picture's line under it adds there: '3 requests unanswered: #4 on
    its way, the answers to #2 and #3 coming back', wherever two or more are in the post."""
    drawn = trips(doc)
    return {
        str(position): words
        for position in range(len(doc["frames"]))
        if (words := unanswered_words(doc, position, drawn))
    }


def beats(doc: dict[str, Any]) -> list[int]:
    """Milliseconds each event takes when played at normal speed."""
    raw = [INIT_BEAT_MS if e.get("init") else BEAT_MS.get(e["a"], 150) for e in doc["events"]]
    held = sum(holds(doc).values())
    scale = max(MIN_SCALE, min(1.0, (PLAY_BUDGET_MS - held) / sum(raw))) if raw else 1.0
    return [round(ms * scale) for ms in raw]


def holds(doc: dict[str, Any]) -> dict[int, int]:
    """Position -> milliseconds Play pauses there (the key moments)."""
    return {mo["event"] + 1: QUICK_MOMENTS.get(mo["kind"], HOLD_MS) for mo in doc.get("moments", ())}


def play_ms(doc: dict[str, Any]) -> int:
    """How long Play takes from the start to the end at normal speed."""
    return sum(beats(doc)) + sum(holds(doc).values())


def first_letter_ms(doc: dict[str, Any]) -> int | None:
    """How long Play takes from the start until the first letter leaves the sender."""
    first = next((t["s"] for t in trips(doc) if t["kind"] == "letter"), None)
    if first is None:
        return None
    hold = holds(doc)
    return sum(beats(doc)[:first]) + sum(ms for position, ms in hold.items() if position <= first)


def registrations(doc: dict[str, Any]) -> dict[int, str]:
    """Producer-id request number -> its name in words: "the registration (InitProducerId)",
    with ", try N" when the run registers more than once.  The client numbers these requests
    with the Produce requests' counter, so "request #2" could be either; a registration is
    named by what it is and the Produce requests keep their numbers."""
    numbers = [e["r"] for e in doc["events"] if e["a"] == "send" and e.get("init")]
    many = len(numbers) > 1
    return {r: f"the registration (InitProducerId){f', try {n}' if many else ''}" for n, r in enumerate(numbers, 1)}


def event_texts(doc: dict[str, Any]) -> list[str]:
    """Each event's sentence, a registration's "InitProducerId #N" said as the registration."""
    names = registrations(doc)
    out = []
    for e in doc["events"]:
        text = str(e.get("text", ""))
        name = names.get(e.get("r")) if e.get("init") else None
        if name:
            number = f"#{e['r']}"
            sent = re.fullmatch(rf"InitProducerId {re.escape(number)} \(the registration: (.*)\)", text)
            if sent:
                text = f"{name}: {sent[1]}"
            text = re.sub(rf"\bInitProducerId {re.escape(number)}(?!\d)", name, text)  # the name holds no backslash
            text = text[:1].upper() + text[1:]
        out.append(text)
    return out


def envelopes(doc: dict[str, Any]) -> list[list[str]]:
    """The letters of each Produce request, in the order first sent: the sender's list folds
    a whole envelope or none of it."""
    seen: set[str] = set()
    out = []
    for e in doc["events"]:
        if e["a"] == "send" and not e.get("init"):
            names = [name for name in str(e.get("what", "")).split(", ") if name and name not in seen]
            seen.update(names)
            if names:
                out.append(names)
    return out
