"""lessons/instructor-notes.toml: the instructor's notes per lesson (the kit) and the
presenter's short slide texts.  Pure: a file -> a dict."""

from __future__ import annotations

import tomllib
from pathlib import Path

from idemlab import lessons as lesson_module

NOTES = lesson_module.LESSON_DIR / "instructor-notes.toml"


def notes(path: Path = NOTES) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def slides(slug: str, path: Path = NOTES) -> dict:
    """The short slide texts of one lesson ({} when none are written)."""
    return notes(path).get("lesson", {}).get(slug, {}).get("slides", {})
