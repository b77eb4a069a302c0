"""Which produce requests are in flight (sent and not yet answered, as the mail room draws
them "in the post") at each stepping position of idemlab.replay's document, and the words for
two or more of them.  Pure: one reading of the document's frames, shared by the mail
room's stops, its words and the analogy's pause."""

from __future__ import annotations

from typing import Any


def requests_in_flight(doc: dict[str, Any]) -> list[set[int]]:
    """Per position, the numbers of the produce requests in the post."""
    rows = doc["rows"]["post"]
    return [{rows[i]["r"] for first, last in frame["post"] for i in range(first, last + 1)} for frame in doc["frames"]]


def together_words(doc: dict[str, Any], position: int) -> str:
    """'3 requests in flight together: #2, #3 and #4' when two or more are in the post, else ''."""
    numbers = [f"#{r}" for r in sorted(requests_in_flight(doc)[position])]
    if len(numbers) < 2:
        return ""
    return f"{len(numbers)} requests in flight together: {', '.join(numbers[:-1])} and {numbers[-1]}"
