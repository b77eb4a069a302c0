"""No markup is ever shown as text: how the visible text (innerText, shadow roots
included) is read and checked for raw HTML, escaped HTML and unrendered Markdown.  Every
page of the navigation is read with it, light and dark, in tests/e2e/test_every_page.py.

A backtick or `**` inside a rendered code element is content (librdkafka's own error
text quotes `acks`), so those two are looked for outside <code> and <pre> only.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.timeout(600)

THEMES = ("light", "dark")
ANYWHERE = ("<abbr", 'class="', "data-def", "&lt;", "&gt;", "&amp;")
OUTSIDE_CODE = ("**", "`")

# innerText is what a reader sees: elements not rendered, or hidden, are left out.  Open
# shadow roots (components) are read too.  The text outside code is read by hiding the
# code elements for a moment (innerText skips what is not visible).
READ_TEXT = """() => {
  const roots = [document];
  for (const el of document.querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  const read = () => roots.map((root) => root === document ? document.body.innerText
      : Array.from(root.children).map((c) => c.innerText || '').join('\\n')).join('\\n');
  const all = read();
  const code = roots.flatMap((root) => Array.from(root.querySelectorAll('code, pre')));
  const before = code.map((el) => el.style.visibility);
  code.forEach((el) => { el.style.visibility = 'hidden'; });
  const outside = read();
  code.forEach((el, i) => { el.style.visibility = before[i]; });
  return {all, outside};
}"""


def problems_in(shown: dict) -> list[str]:
    """Each forbidden string with some text around it."""
    found = []
    checks = [(n, shown["all"]) for n in ANYWHERE] + [(n, shown["outside"]) for n in OUTSIDE_CODE]
    for needle, text in checks:
        for match in re.finditer(re.escape(needle), text):
            found.append(f"{needle!r} in …{text[max(0, match.start() - 60) : match.end() + 60]!r}…")
    return found


def test_the_checker_finds_raw_glossary_markup_and_leaves_code_alone():
    shown = 'This time enable.<abbr class="idl-term" data-def="x">idempotence</abbr> = true'
    assert len(problems_in({"all": shown, "outside": shown})) >= 3
    assert problems_in({"all": "Failed: `acks` must be set", "outside": "Failed:"}) == []
    assert problems_in({"all": "a **bold** claim", "outside": "a **bold** claim"})
