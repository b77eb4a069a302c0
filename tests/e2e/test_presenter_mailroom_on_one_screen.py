"""Everything a presenter clicks on a slide with the mail room is on one screen, at 1920x1080
and 1280x800, light and dark: the slide's Previous / Next, the view picker of a moment slide,
and the mail room's own controls and key moments, under a picture that still takes a good
part of the screen.  The slides tried are the hardest of every lesson: the analogy with the
most words above its picture, the key moment with the longest title."""

from __future__ import annotations

import pytest

from idemlab import backends
from idemlab.lessons import load_all, scenario_for
from tests.e2e.conftest import COUNT_RUNS, wait_for_app_run
from ui.views import presenter_deck

pytestmark = pytest.mark.timeout(600)

PICTURE_SHARE = 0.3  # the drawing's height, at least, as a share of the screen's


def _hardest() -> dict[str, tuple[str, int]]:
    """(lesson slug, slide number) of the wordiest analogy and the longest moment title."""
    slides = []
    for lesson in load_all():
        deck = presenter_deck.deck(lesson, backends.run(scenario_for(lesson), "sim"))
        slides += [(lesson.slug, number, slide) for number, slide in enumerate(deck, 1)]
    analogy = max((s for s in slides if s[2].picture), key=lambda s: len(s[2].body))
    moment = max((s for s in slides if s[2].kind == "moment"), key=lambda s: len(s[2].title))
    return {"analogy": analogy[:2], "moment": moment[:2]}


HARDEST = _hardest()

# Every control's box, in and out of the mail room's shadow root, and the drawing's height.
CLICKABLE = """() => {
  const slide = document.querySelector("[class*='st-key-present-slide-']");
  const host = slide.querySelector(".st-key-present-picture [data-testid^='stBidiComponent']");
  const room = host.shadowRoot;
  const box = (name, e) => { const r = e.getBoundingClientRect(); return {name, top: r.top, bottom: r.bottom}; };
  const named = (e) => (e.getAttribute("aria-label") || e.textContent || e.className).trim().slice(0, 40);
  const svg = room.querySelector(".mr-svg").getBoundingClientRect();
  const drawn = Math.min(svg.height, svg.width * 420 / 1000);  // the drawing keeps its proportions
  return {
    controls: [
      ...[...document.querySelectorAll(".st-key-present-prev button, .st-key-present-next button")].map((e) => box(named(e), e)),
      ...[...slide.querySelectorAll("[data-testid='stButtonGroup']")].map((e) => box("view picker", e)),
      ...[...room.querySelectorAll(".mr-controls button, .mr-controls input, .mr-controls select, .mr-moments button")]
        .map((e) => box(named(e), e)),
    ],
    drawn,
  };
}"""
READY = """() => { const host = document.querySelector(".st-key-present-picture [data-testid^='stBidiComponent']");
  const room = host && host.shadowRoot && host.shadowRoot.querySelector(".mr");
  const picture = document.querySelector(".st-key-present-picture");
  return !!room && !!room.querySelector(".mr-controls") && !!picture.style.getPropertyValue("--mr-picture-height")
    && room.getBoundingClientRect().bottom <= innerHeight + 1; }"""


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [(1920, 1080), (1280, 800)], ids=["1920x1080", "1280x800"])
@pytest.mark.parametrize("kind", sorted(HARDEST))
def test_the_mail_rooms_controls_are_on_screen_under_its_picture(browser, warmed, screenshots, kind, viewport, theme):
    width, height = viewport
    slug, number = HARDEST[kind]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=theme)
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{warmed}/presenter?lesson={slug}&slide={number}&embed_options={theme}_theme")
    wait_for_app_run(page)
    page.wait_for_function(READY, timeout=60_000)
    page.screenshot(path=str(screenshots / f"presenter-mailroom-controls-{kind}-{width}x{height}-{theme}.png"))
    seen = page.evaluate(CLICKABLE)
    names = [control["name"] for control in seen["controls"]]
    assert {"First step", "Next step", "Play speed"} <= set(names) and len(names) >= 9, names
    off_screen = [c for c in seen["controls"] if c["top"] < 0 or c["bottom"] > height + 1]
    assert not off_screen, (slug, number, off_screen)
    assert seen["drawn"] >= PICTURE_SHARE * height, (slug, number, seen["drawn"])
    context.close()
