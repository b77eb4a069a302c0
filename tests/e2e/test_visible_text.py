"""No markup is ever shown as text: the visible text (innerText, shadow roots included)
of every page the navigation registers, light and dark, holds no raw HTML, no escaped
HTML and no unrendered Markdown.

A backtick or `**` inside a rendered code element is content (librdkafka's own error
text quotes `acks`), so those two are looked for outside <code> and <pre> only.  Lesson
pages are read twice: as a first visitor sees them, and with the experiment run (the
locked prediction in the URL), which adds the run, "After the run" and the checks.
"""

from __future__ import annotations

import re

import pytest

from idemlab import lessons
from tests.e2e.conftest import wait_for_app_run
from tests.e2e.test_accessibility import navigation_pages

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


@pytest.fixture(scope="module")
def reader(browser, warmed):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    paths = navigation_pages(page, warmed)
    numbers = {f"lesson-{lesson.slug}": lesson.number for lesson in lessons.load_all()}
    variants = [
        variant
        for path in paths
        for variant in [path] + ([f"{path}?ans={numbers[path]}.p.0"] if path in numbers else [])
    ]
    assert any(path.startswith("lesson-") for path in paths) and "playground" in paths, paths
    yield warmed, page, variants
    context.close()


@pytest.mark.parametrize("theme", THEMES)
def test_no_page_shows_markup_as_text(reader, theme):
    base_url, page, paths = reader
    report = {}
    for path in paths:
        sep = "&" if "?" in path else "?"
        page.goto(f"{base_url}/{path}{sep}embed_options={theme}_theme")
        page.wait_for_selector("[data-testid='stAppViewContainer']")
        wait_for_app_run(page, settle_ms=400)
        shown = page.evaluate(READ_TEXT)
        assert shown["all"].strip(), f"{path}: no visible text"
        assert "This page failed" not in shown["all"], f"{path}: the page failed, so its text was not read"
        found = problems_in(shown)
        if found:
            report[path] = found
    assert not report, "\n".join(f"{path}: {found}" for path, found in report.items())
