"""A client library's message as inert Markdown.  Pure: no streamlit.

The message may quote what the user set (a property name or value from a link or a
scenario file), so every part of it goes through ui/views/safe.py.  The clients' own
`name` quoting stays a code span (safe.code), so the message reads as the client wrote it.
"""

from __future__ import annotations

import re

from ui.views import safe

LIMIT = 400  # characters of the message shown; a longer one is shortened with "…"
_QUOTED = re.compile(r"`([^`]+)`")


def markdown(message: object, limit: int = LIMIT) -> str:
    text = safe.shorten(message, limit)
    out, last = [], 0
    for match in _QUOTED.finditer(text):
        out += [safe.md(text[last : match.start()], limit), safe.code(match.group(1), limit)]
        last = match.end()
    out.append(safe.md(text[last:], limit))
    return "".join(part for part in out if part)
