"""Reading untrusted TOML (scenario and lesson files) with one-line errors that name the
file and the key: `<file>: fault[2].nth: must be a whole number, not 'x'`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KIND_WORDS = {str: "string", int: "whole number", bool: "boolean", float: "number"}


class Where:
    """A position in a file ("<source>: <prefix><key>") that turns bad values into the
    caller's error type."""

    def __init__(self, source: str, prefix: str = "", error_type: type[Exception] = ValueError) -> None:
        self.source = source
        self.prefix = prefix
        self.error_type = error_type

    def inside(self, prefix: str) -> Where:
        return Where(self.source, prefix, self.error_type)

    def error(self, key: str, message: str) -> Exception:
        return self.error_type(f"{self.source}: {self.prefix}{key}: {message}")

    def typed(self, data: Mapping, key: str, kind: type, required: bool = False, default: Any = None) -> Any:
        if key not in data:
            if required:
                raise self.error(key, f"is required ({KIND_WORDS.get(kind, kind.__name__)})")
            return default
        value = data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(key, f"must be a {KIND_WORDS.get(kind, kind.__name__)}, not {value!r}")
        return value

    def text(self, data: Mapping, key: str) -> str:
        """A required, non-blank string."""
        value = self.typed(data, key, str, required=True)
        if not value.strip():
            raise self.error(key, "must not be empty")
        return value

    def int_in(self, data: Mapping, key: str, low: int, high: int, default: Any = 0) -> Any:
        if key not in data:
            return default
        value = self.typed(data, key, int)
        if not low <= value <= high:
            raise self.error(key, f"must be from {low} to {high}, not {value}")
        return value

    def table(self, data: Mapping, key: str, allowed: set[str] | None = None) -> Mapping:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.error(key, "must be a table")
        if allowed is not None:
            unknown = sorted(set(value) - allowed)
            if unknown:
                raise self.error(f"{key}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
        return value

    def array(self, data: Mapping, key: str) -> list:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, f"must be an array of tables ([[{key}]])")
        return value
