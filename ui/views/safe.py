"""Untrusted text made safe to render: values from a link, a scenario file, a message or
a widget go through one of these before they reach st.markdown, a label, st.html or a
figure.  Pure: no streamlit.

- md(): inert Markdown text: every character Markdown, GitHub-flavoured autolinks,
  Streamlit's directives (`:red[…]`, `:material/…:`) or KaTeX (`$…$`) could act on is
  backslash-escaped, and HTML's `<`, `>`, `&` become entities; a link, an image or a
  tag cannot be formed, whatever the input.
- code(): the text as an inline code span that cannot be broken out of.
- html(): for st.html and attribute values.
- plain_value(): whether a message value, key or name is in the playground's safe
  alphabet (letters, digits, `_`, `-`), the stricter rule for what a link may carry.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

# Markdown's ASCII punctuation (CommonMark: any may be backslash-escaped) that can start
# or end a construct, plus `.` and `:` (see md() for autolinks).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=^\"'])")
_PLAIN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_SHOWN = 200
SENTENCE_LIMIT = 1000  # a sentence of the lab's own that quotes a client's message (a fatal error's)
JOINER = "\u2060"  # WORD JOINER: invisible, no line break
_AUTOLINK_TRIGGER = re.compile(r"[:.@]")


def _printable(text: str) -> str:
    """Control characters (terminal escapes, bidi overrides, zero-width tricks) shown as
    \\xNN / \\uNNNN instead of acting."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t":
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def shorten(text: object, limit: int = MAX_SHOWN) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(text: object, limit: int = MAX_SHOWN) -> str:
    """Inert Markdown: renders as the literal characters of `text` (shortened).

    Backslash escapes alone do not stop GitHub-flavoured autolinks: Streamlit's renderer
    still linked `http\\://host` and `www\\.host` (seen in tests/e2e/test_hostile_links.py).
    A joiner after the `.` alone was not enough either: the renderer's second pass over
    the text matched `www` before the dot and URL parsing then dropped the joiner.  An
    invisible WORD JOINER on both sides of every `:`, `.` and `@` breaks the scheme,
    `www.` and e-mail patterns in both passes while the text reads the same."""
    joined = _AUTOLINK_TRIGGER.sub(lambda m: JOINER + m.group() + JOINER, _printable(shorten(text, limit)))
    escaped = _MD_SPECIAL.sub(r"\\\1", joined)  # the joiner stays outside each backslash escape
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: object, limit: int = 60) -> str:
    """An inline code span holding `text` literally (no Markdown inside a code span; the
    fence is longer than any run of backticks in the text)."""
    body = _printable(shorten(text, limit))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def html(text: object, limit: int | None = None) -> str:
    """Escaped for HTML text and quoted attribute values."""
    text = str(text) if limit is None else shorten(text, limit)
    return _html.escape(_printable(text), quote=True)


def plain_value(text: str) -> bool:
    return bool(_PLAIN.match(text))
