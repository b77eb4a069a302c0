"""Which produce requests are in flight (sent and not yet answered, as the mail room draws
them "in the post") at each stepping position of idemlab.replay's document, and the words for
two or more of them.  Pure: one reading of the document's frames, shared by the mail
room's stops, its words and the analogy's pause.

The words say what the picture draws of each request: its envelope on the way, or its answer
coming back (an answer given at the post office's door travels back while the frame still
holds the request), read from the picture's own trips (plan.trips)."""

from __future__ import annotations

from typing import Any

from idemlab.words import and_list

# What the picture draws of one unanswered request, in the order the words name them.
ON_ITS_WAY, COMING_BACK, LOST, ANSWER_LOST = "letter", "receipt", "lost_letter", "lost_receipt"
HELD = "held"  # an answer the post office holds up (a delay fault) waits at its door


def requests_in_flight(doc: dict[str, Any]) -> list[set[int]]:
    """Per position, the numbers of the produce requests in the post."""
    rows = doc["rows"]["post"]
    return [{rows[i]["r"] for first, last in frame["post"] for i in range(first, last + 1)} for frame in doc["frames"]]


def held_up(doc: dict[str, Any]) -> set[int]:
    """The produce requests whose answer the post office holds up (the picture keeps it at its door)."""
    return {e.get("r") for e in doc["events"] if e.get("a") == "note" and e.get("act") == "delay" and not e.get("init")}


def drawn_as(trips: list[dict[str, Any]], r: int, position: int, phase: str, held: set[int] | None = None) -> str:
    """What the picture draws at `position` of produce request `r`, whose frame row says `phase`:
    the picture's trip decides, the frame only when no letter trip of `r` has left yet."""
    trip = next((t for t in reversed(trips) if t["kind"] == "letter" and t["r"] == r and t["s"] < position), None)
    if trip is None:
        return phase
    if position < trip["a"]:
        return ON_ITS_WAY
    if trip["fate"] == "lost":
        return LOST
    back = trip["back"]
    if back is not None and back["fate"] == "lost" and position >= back["a"]:
        return ANSWER_LOST
    if held and r in held and back is not None and position < back["a"]:
        return HELD
    return COMING_BACK


def unanswered_words(doc: dict[str, Any], position: int, trips: list[dict[str, Any]]) -> str:
    """'3 requests unanswered: #4 on its way, the answers to #2 and #3 coming back' when two
    or more are in the post, else ''."""
    rows = doc["rows"]["post"]
    frame = doc["frames"][position]
    phases = {rows[i]["r"]: rows[i]["phase"] for first, last in frame["post"] for i in range(first, last + 1)}
    if not phases and position > 0 and doc["events"][position - 1].get("a") == "closed":
        return _lost_with_the_connection(doc, position, trips)
    if len(phases) < 2:
        return ""
    held = held_up(doc)
    by_phase: dict[str, list[str]] = {}
    for r in sorted(phases):
        by_phase.setdefault(drawn_as(trips, r, position, phases[r], held), []).append(f"#{r}")
    parts = []
    for phase, numbers in sorted(by_phase.items(), key=lambda item: _ORDER.index(item[0])):
        one = len(numbers) == 1
        names = and_list(numbers)
        parts.append(
            {
                ON_ITS_WAY: f"{names} on {'its' if one else 'their'} way",
                COMING_BACK: f"the answer{'' if one else 's'} to {names} coming back",
                HELD: f"the answer{'' if one else 's'} to {names} held up at the post office",
                LOST: f"{names} lost on the way",
                ANSWER_LOST: f"the answer{'' if one else 's'} to {names} lost on the way back",
            }[phase]
        )
    return f"{len(phases)} requests unanswered: {', '.join(parts)}"


_ORDER = (ON_ITS_WAY, HELD, COMING_BACK, LOST, ANSWER_LOST)


def _lost_with_the_connection(doc: dict[str, Any], position: int, trips: list[dict[str, Any]]) -> str:
    """What the step that closed the connection took from the post (the picture marks it
    lost there): 'the answers to #2, #3 and #4 lost with the connection', or ''."""
    rows = doc["rows"]["post"]
    before = doc["frames"][position - 1]["post"]
    phases = {rows[i]["r"]: rows[i]["phase"] for first, last in before for i in range(first, last + 1)}
    held = held_up(doc)
    by_drawing: dict[str, list[str]] = {}
    for r in sorted(phases):
        by_drawing.setdefault(drawn_as(trips, r, position - 1, phases[r], held), []).append(f"#{r}")
    parts = []
    if letters := by_drawing.get(ON_ITS_WAY):
        parts.append(f"{and_list(letters)} lost on the way")
    if answers := by_drawing.get(COMING_BACK, []) + by_drawing.get(HELD, []):
        parts.append(f"the answer{'' if len(answers) == 1 else 's'} to {and_list(sorted(answers))} lost")
    return f"{' and '.join(parts)} with the connection" if parts else ""
