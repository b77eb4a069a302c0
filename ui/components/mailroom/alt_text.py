"""The mail room in words: its text alternative, read from the same document the picture
draws (idemlab.replay's frames, through the component's document()), so the words and
the picture cannot disagree.  Pure: document, position -> Markdown."""

from __future__ import annotations

from typing import Any

from idemlab import replay as replay_module
from ui.components.mailroom.plan import event_texts as picture_event_texts
from ui.components.mailroom.plan import trips as picture_trips
from ui.views.in_flight import drawn_as, held_up, unanswered_words
from ui.views.safe import md

READ_AFTER_A_DECISION = " after its decision on "  # a real run's notebook read, in words.describe


def md_text(text: object) -> str:
    return md(text, limit=1000)


def frame_lists(doc: dict[str, Any], position: int) -> dict[str, list[dict[str, Any]]]:
    """The frame at `position` with its rows expanded (the picture's expand())."""
    frame = doc["frames"][position]
    return {
        name: [doc["rows"][name][i] for first, last in frame[name] for i in range(first, last + 1)]
        for name in replay_module.LISTS
    }


def sender_lines(doc: dict[str, Any], position: int) -> list[str]:
    frame = doc["frames"][position]
    if frame.get("fatal"):
        badge = f"stopped by a fatal error: {frame['fatal']}"
    elif ended_before_sending(doc):
        badge = "producer not created: the post office was never contacted"
    elif frame.get("pid") is None:
        badge = "no producer id yet" if doc.get("idempotent") else "no producer id (idempotence off)"
    else:
        badge = f"PID {frame['pid']} · epoch {frame['epoch']}"
    lines = [badge]
    if ended_before_sending(doc):
        lines.append("the registration form: refused at your secretary's desk (the client library)")
    for row in frame_lists(doc, position)["sender"]:
        if row["state"] == "delivered":
            lines.append(f"{row['what']}: delivered, {row['detail']} (delivered)")
        elif row["state"] == "waiting":
            lines.append(f"{row['what']}: waiting for its receipt (waiting)")
        else:
            lines.append(f"{row['what']}: failed, {row['detail']} (failed)")
    return lines


def post_lines(doc: dict[str, Any], position: int, trips: list[dict[str, Any]] | None = None) -> list[str]:
    """The post as the picture draws it: an answer given at the door is on its way back."""
    trips = picture_trips(doc) if trips is None else trips
    words = {
        "letter": "on its way to the post office",
        "receipt": "its receipt on the way back",
        "lost_letter": "lost on the way",
        "lost_receipt": "its receipt lost on the way back",
        "held": "its answer held up at the post office",
    }
    held = held_up(doc)
    return [
        f"#{p['r']} {p['what']} ({p['ids'] or 'no PID'}){' resent' if p['retry'] else ''}: "
        f"{words[drawn_as(trips, p['r'], position, p['phase'], held)]}"
        for p in frame_lists(doc, position)["post"]
    ]


def shelf_lines(doc: dict[str, Any], position: int) -> list[str]:
    many = doc.get("partitions", 1) > 1
    return [
        f"{'partition ' + str(r['p']) + ', ' if many else ''}offset {r['off']}: {r['what']} ({r['ids']})"
        + (" (duplicate)" if r["dup"] else " (stored)")
        for r in frame_lists(doc, position)["shelf"]
    ]


def notebook_lines(doc: dict[str, Any], position: int) -> list[str]:
    def span(a: int, b: int) -> str:
        return str(a) if a == b else f"{a}–{b}"

    return [
        f"PID {n['pid']} · epoch {n['epoch']} · partition {n['p']}: "
        + "; ".join(f"seq {span(b[0], b[1])} → offset {span(b[2], b[3])}" for b in n["batches"])
        for n in frame_lists(doc, position)["notes"]
    ]


def empty_notebook_words(doc: dict[str, Any]) -> str:
    """What an empty notebook says: a real broker's is read with DescribeProducers, after each
    of its decisions in a small run (those reads are described "after its decision on ..."),
    otherwise only after a broker action."""
    if doc.get("backend") == "sim":
        return "nothing noted"
    if any(e.get("kind") == "producer_state" and READ_AFTER_A_DECISION in e.get("text", "") for e in doc["events"]):
        return "nothing read yet: a real broker is asked after each of its decisions"
    return "nothing read yet: a real broker is asked after a broker action"


def ended_before_sending(doc: dict[str, Any]) -> bool:
    """A run the client library refused before anything was sent (the component's with_refusal):
    its only event is the refusal, which the picture draws at every step."""
    return any(e.get("a") == "refuse" for e in doc["events"][:1])


def now_line(doc: dict[str, Any], position: int, trips: list[dict[str, Any]] | None = None) -> str:
    if position == 0 and ended_before_sending(doc):
        # the picture shows the ending from the first step: the run has no other step
        return f"The producer was never created, so nothing was sent: {doc['events'][0]['text']}"
    if position == 0:
        return "Before the first event."
    moment = next((m for m in doc.get("moments", ()) if m["event"] + 1 == position), None)
    text = picture_event_texts(doc)[position - 1]
    line = f"{moment['text']} ({text})" if moment and moment["text"] != doc["events"][position - 1]["text"] else text
    together = unanswered_words(doc, position, picture_trips(doc) if trips is None else trips)
    return f"{line} — {together}" if together else line


def describe(doc: dict[str, Any], position: int | None = None) -> str:
    """The mail room at `position` (the end by default) in Markdown, every value escaped,
    then the run's key moments in full."""
    if position is None:
        position = len(doc["frames"]) - 1
    drawn = picture_trips(doc)

    def block(title: str, lines: list[str], empty: str) -> str:
        return f"**{title}**\n" + "\n".join(f"- {md_text(line)}" for line in (lines or [empty]))

    blocks = [
        f"**Step {position} of {len(doc['frames']) - 1}:** {md_text(now_line(doc, position, drawn))}",
        block("Sender (producer)", sender_lines(doc, position), "no letters yet"),
        block("In the post", post_lines(doc, position, drawn), "nothing in the post"),
        block("Shelf (partition log)", shelf_lines(doc, position), "the shelf is empty"),
        block(
            "Notebook (the broker's producer state)",
            notebook_lines(doc, position),
            empty_notebook_words(doc),
        ),
    ]
    moments = [f"{i}. {md_text(m['text'])}" for i, m in enumerate(doc.get("moments", ()), 1)]
    if moments:
        blocks.append("**Key moments**\n" + "\n".join(moments))
    return "\n\n".join(blocks)
