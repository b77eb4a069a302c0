"""The animated mail room as an `st.components.v2` component.

Python hands the whole run over once (idemlab.replay: events plus the state after each
one); mailroom.js draws it and steps, plays and scrubs in the browser.  The only message
back is a click that breaks a letter or a receipt: the `fault` trigger,
{"request_no", "action", "error"}, which the page turns into a fault and a new run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from idemlab.reference_data import glossary
from ui.components.mailroom import plan
from ui.views.palette import STYLE

HERE = Path(__file__).resolve().parent
NAME = "idemlab_mailroom"
PALETTE = {meaning: colour for meaning, (colour, _symbol, _word) in STYLE.items()}
ACTIONS = ("drop_request", "drop_response", "error")
TERMS = ("PID", "epoch", "sequence number", "in flight", "producer state", "offset", "batch")
GLOSSARY = {term: text for term, text in glossary().items() if term in TERMS}


@cache
def _renderer():
    return st.components.v2.component(
        NAME,
        html="",
        css=(HERE / "mailroom.css").read_text(encoding="utf-8"),
        js=(HERE / "mailroom.js").read_text(encoding="utf-8"),
    )


def with_refusal(replay: dict[str, Any], refusal: str | None) -> dict[str, Any]:
    """A run that ended before anything was sent (the client library refused to create
    the producer) as one step: the registration refused at your secretary's desk."""
    if replay.get("events") or not refusal:
        return replay
    text = str(refusal)
    return {
        **replay,
        "events": [{"kind": "refused", "a": "refuse", "text": text}],
        "frames": [replay["frames"][0], replay["frames"][0]],
        "moments": [{"kind": "refused", "event": 0, "text": text}],
    }


def document(
    replay: dict[str, Any],
    *,
    interactive: bool,
    autoplay: bool = False,
    large: bool = False,
    refusal: str | None = None,
) -> dict:
    """What the browser gets: the replay, the trips of its envelopes and the time each event
    takes (plan.py), and how to show it, with a content id so the component keeps its
    place across reruns of the same run."""
    replay = with_refusal(replay, refusal)
    body = {
        **replay,
        "events": [
            {**event, "text": text} for event, text in zip(replay["events"], plan.event_texts(replay), strict=True)
        ],
        "envelopes": plan.envelopes(replay),
        "trips": plan.trips(replay),
        "beats": plan.beats(replay),
        "holds": {str(position): ms for position, ms in plan.holds(replay).items()},
        "stops": plan.stops(replay),
        "together": plan.together(replay),
        "next_ms": plan.NEXT_MS,
        "glossary": GLOSSARY,
        "palette": PALETTE,
        "interactive": interactive,
        "autoplay": autoplay,
        "large": large,
        # The large picture is the presenter's: its arrow and page keys move the slides.
        "slide_keys": large,
    }
    digest = hashlib.sha1(json.dumps(replay, sort_keys=True, default=str).encode()).hexdigest()[:16]
    body["id"] = f"{digest}.{replay.get('start', 0)}"
    return body


def show(
    replay: dict[str, Any],
    key: str,
    *,
    on_fault: Callable[[dict[str, Any]], None] | None = None,
    autoplay: bool = False,
    large: bool = False,
    refusal: str | None = None,
) -> None:
    """Mount the mail room.  With `on_fault`, letters and receipts in flight are
    clickable; the choice reaches `on_fault` (in a callback, before the rerun)."""

    # No widget key: a keyed v2 component puts an unpicklable value into session state,
    # which this app's runner.enforceSerializableSessionState refuses.  Without one the
    # component's identity is its data, which is what it should be: one run, one picture.
    result = _renderer()(
        data=document(replay, interactive=on_fault is not None, autoplay=autoplay, large=large, refusal=refusal),
        on_fault_change=lambda: None,
        height="content",
    )
    choice = getattr(result, "fault", None)
    if isinstance(choice, dict) and on_fault is not None:
        fault = clean_fault(choice)
        if fault:
            on_fault(fault)
            st.rerun()  # run the experiment again from the start, with that fault


def clean_fault(choice: dict[str, Any]) -> dict[str, Any] | None:
    """The browser's choice, checked: a produce request number and one of three actions."""
    try:
        request_no = int(choice.get("request_no"))
    except (TypeError, ValueError):
        return None
    action = choice.get("action")
    if action not in ACTIONS or not 1 <= request_no <= 10_000:
        return None
    fault: dict[str, Any] = {"request": "produce", "nth": request_no, "action": action}
    if action == "error":
        fault["error"] = "NOT_ENOUGH_REPLICAS"
    return fault
