"""A count with its noun (and verb) in the right number: "1 learner has", "2 learners
have".  Pure."""

from __future__ import annotations


def word(n: int, one: str, many: str | None = None) -> str:
    """`one` for exactly one, else `many` (by default `one` + "s")."""
    return one if n == 1 else (many if many is not None else f"{one}s")


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {word(n, one, many)}"
