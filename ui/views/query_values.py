"""The one reader of values that come from a URL (query values, link parameters): every
number is ASCII digits only and of bounded length, so `²`, `①`, Arabic-Indic digits or a
4,301-digit number are refused in words, never by an exception from int() or float().
Pure: no streamlit."""

from __future__ import annotations

import re

MAX_TEXT = 2000  # longest query value read at all
MAX_DIGITS = 10  # enough for 2,147,483,647, far below int()'s 4,300-digit limit
_WHOLE = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_DECIMAL = re.compile(r"[0-9]{0,3}(\.[0-9]{1,6})?")


def text(value: object, limit: int = MAX_TEXT) -> str:
    """A query value as a string of at most `limit` characters (a list keeps its first)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value if value is not None else "")[:limit]


def is_whole(value: str) -> bool:
    """ASCII digits only, at most MAX_DIGITS of them."""
    return bool(_WHOLE.fullmatch(value))


def whole(value: str, low: int, high: int) -> int:
    """A whole number from `low` to `high`; ValueError (in words) otherwise."""
    value = value.strip()
    if not is_whole(value) or not low <= int(value) <= high:
        raise ValueError(f"expected a whole number from {low} to {high}")
    return int(value)


def whole_or_none(value: str, low: int, high: int) -> int | None:
    try:
        return whole(value, low, high)
    except ValueError:
        return None


def decimal(value: str, low: float, high: float) -> float:
    """A decimal such as 0.25 (ASCII digits and one dot); ValueError otherwise."""
    value = value.strip()
    if not value or value == "." or not _DECIMAL.fullmatch(value) or not low <= float(value) <= high:
        raise ValueError(f"expected a number from {low:g} to {high:g}")
    return float(value)
