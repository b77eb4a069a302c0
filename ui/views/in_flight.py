"""Which produce requests are in flight (sent and not yet answered, as the mail room draws
them "in the post") at each stepping position of idemlab.replay's document.  Pure: one
reading of the document's frames, shared by the mail room's stops and the analogy's pause."""

from __future__ import annotations

from typing import Any


def requests_in_flight(doc: dict[str, Any]) -> list[set[int]]:
    """Per position, the numbers of the produce requests in the post."""
    rows = doc["rows"]["post"]
    return [{rows[i]["r"] for first, last in frame["post"] for i in range(first, last + 1)} for frame in doc["frames"]]
