"""The presenter on a projector, in Chromium: every kind of slide of one lesson at 1920x1080
and 1280x800, light and dark.  The slide fills the screen under the controls, its type is
large (at 1920x1080 a title of 56 px or more and body text of 36 px or more; at other
widths the same sizes scaled by width / 1920), no text box leaves the viewport or
overflows its own box, and a slide with a picture (the analogy, a key moment) shows the
whole mail room picture on screen, with a text alternative.

The criterion for "fills the screen": the slide's box spans at least 60 % of the viewport's
height and 80 % of its width, and what it shows (its title's top to the bottom of its last
word or picture) spans at least 45 % of the height (a title slide aside): a slide of three short bullets cannot
cover more in legible type without stretching the words apart.  A moment slide's heading
is a sentence of up to 30 words, so it is held to the body size: 56 px would take three
lines and shrink the mail room by a quarter."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from idemlab import backends
from idemlab.lessons import load, load_all, scenario_for
from tests.e2e.conftest import COUNT_RUNS, wait_for_app_run
from ui.views import presenter_deck, sequence_marks

pytestmark = pytest.mark.timeout(600)

LESSON = load("letters-get-lost")
DECK = presenter_deck.deck(LESSON, backends.run(scenario_for(LESSON), "sim"))
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 800}
TITLE_PX, BODY_PX = 56, 36  # at 1920 px wide


def _first(test) -> int:
    return next(i for i, slide in enumerate(DECK, 1) if test(slide))


SLIDES = {
    "title": _first(lambda s: s.kind == "title"),
    "analogy": _first(lambda s: s.picture == "analogy"),
    "mechanism": _first(lambda s: s.kind == "text" and not s.picture),
    "predict": _first(lambda s: s.kind == "question"),
    "reveal": _first(lambda s: s.kind == "reveal"),
    "moment": _first(lambda s: s.kind == "moment"),
    "after": _first(lambda s: s.kind == "after"),
}
WITH_PICTURE = {"analogy", "moment"}

MEASURE = """() => {
  const slide = document.querySelector("[class*='st-key-present-slide-']");
  const box = (e) => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, right: r.right, bottom: r.bottom}; };
  const size = (e) => e ? parseFloat(getComputedStyle(e).fontSize) : 0;
  const texts = [...slide.querySelectorAll("h1, h2, p, li, th, td")]
    .filter((e) => !e.closest("[data-testid='stExpander']") && e.getClientRects().length && e.innerText.trim());
  const host = slide.querySelector("[data-testid^='stBidiComponent']");
  const svg = host && host.shadowRoot ? host.shadowRoot.querySelector("svg.mr-svg") : null;
  const shown = [...texts, ...(svg ? [svg] : [])].map(box);
  return {
    slide: box(slide),
    title: size(slide.querySelector("h1, h2")),
    body: size(slide.querySelector("[data-testid='stMarkdown']:not([data-testid='stCaptionContainer'] *) li, "
      + "[data-testid='stMarkdown'] p:not([data-testid='stCaptionContainer'] p)")),
    top: Math.min(...shown.map((b) => b.y)),
    bottom: Math.max(...shown.map((b) => b.bottom)),
    texts: texts.map((e) => ({text: e.innerText.slice(0, 50), ...box(e), overflows: e.scrollWidth > e.clientWidth + 1})),
    // The drawing keeps its proportions (1000 x 420) inside the picture's box, centred.
    picture: svg ? {...box(svg), drawn: Math.min(svg.getBoundingClientRect().width, svg.getBoundingClientRect().height * 1000 / 420),
      label: svg.getAttribute("aria-label") || ""} : null,
  };
}"""
PICTURE_FITS = """() => {
  const host = document.querySelector("[class*='st-key-present-slide-'] [data-testid^='stBidiComponent']");
  const svg = host && host.shadowRoot ? host.shadowRoot.querySelector("svg.mr-svg") : null;
  return !!svg && svg.getBoundingClientRect().height > 100 && svg.getBoundingClientRect().bottom <= innerHeight + 1;
}"""


FITTED = """() => { const block = document.querySelector(".st-key-present-fit");
  return !!block && block.querySelectorAll(".idl-table tbody tr").length > 0
    && block.getBoundingClientRect().bottom <= innerHeight + 1; }"""


def _longest_log():
    """The lesson whose run stores the most records, its after-the-run slide's number, its
    record count and the Produce requests its diagram draws."""
    runs = [(lesson, backends.run(scenario_for(lesson), "sim")) for lesson in load_all()]
    lesson, trace = max(runs, key=lambda run: len(run[1].stored))
    deck = presenter_deck.deck(lesson, trace)
    after = next(i for i, slide in enumerate(deck, 1) if slide.kind == "after")
    slide = deck[after - 1]
    rows = sequence_marks.window(trace, slide.position, slide.window or presenter_deck.AFTER_WINDOW).marks
    return lesson, after, len(trace.stored), [mark.text for mark in rows if " Produce [" in mark.text]


def _open(context, url: str):
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("[class*='st-key-present-slide-']")
    wait_for_app_run(page)
    return page


# The projector in the dark theme (a dark room), the laptop in light: the layout under test is
# the same in both themes, only the colours change.
@pytest.mark.parametrize(
    ("viewport", "theme"),
    [(PROJECTOR, "dark"), (LAPTOP, "light")],
    ids=["1920x1080-dark", "1280x800-light"],
)
def test_every_kind_of_slide_fills_the_screen_in_large_type(browser, warmed, screenshots, viewport, theme):
    width, height = viewport["width"], viewport["height"]
    scale = width / PROJECTOR["width"]
    context = browser.new_context(viewport=viewport, color_scheme=theme)
    context.add_init_script(COUNT_RUNS)
    for name, number in SLIDES.items():
        kind = DECK[number - 1].kind
        page = _open(context, f"{warmed}/presenter?lesson={LESSON.slug}&slide={number}&embed_options={theme}_theme")
        if name in WITH_PICTURE:  # the mail room mounts, then is fitted to the room left on screen
            page.wait_for_function(PICTURE_FITS, timeout=60_000)
        page.screenshot(path=str(screenshots / f"presenter-{name}-{width}x{height}-{theme}.png"))
        seen = page.evaluate(MEASURE)
        where = (name, width, theme)
        slide = seen["slide"]
        assert slide["bottom"] - slide["y"] >= 0.6 * height, (where, slide)
        assert slide["right"] - slide["x"] >= 0.8 * width, (where, slide)
        if kind != "title":  # a title slide is its title, centred
            assert seen["bottom"] - seen["top"] >= 0.45 * height, (where, seen["top"], seen["bottom"])
        least_title = (BODY_PX if kind == "moment" else TITLE_PX) * scale
        assert seen["title"] >= least_title, (where, seen["title"])
        if kind != "moment":  # a moment slide's words are its heading and a caption
            assert seen["body"] >= BODY_PX * scale, (where, seen["body"])
        for text in seen["texts"]:
            inside = text["x"] >= 0 and text["right"] <= width + 1 and text["y"] >= 0 and text["bottom"] <= height + 1
            assert inside and not text["overflows"], (where, text)
        if name in WITH_PICTURE:
            picture = seen["picture"]
            assert picture and picture["label"], (where, picture)  # the picture says what it is
            assert picture["drawn"] >= 0.5 * width, (where, picture)
        if name == "analogy":
            expect(page.get_by_text("The picture in words")).to_have_count(1)  # its full text alternative
        page.close()
    context.close()


@pytest.mark.parametrize("viewport", [PROJECTOR, LAPTOP], ids=["1920x1080", "1280x800"])
def test_the_longest_stored_log_after_the_run_fits_one_screen_in_smaller_type(browser, warmed, screenshots, viewport):
    lesson, number, records, requests = _longest_log()
    assert records >= 10  # a log that does not fit in the slide's usual type
    assert len(requests) >= 3  # lesson 9's: the three requests on the wire together
    width, height = viewport["width"], viewport["height"]
    context = browser.new_context(viewport=viewport)
    context.add_init_script(COUNT_RUNS)
    page = _open(context, f"{warmed}/presenter?lesson={lesson.slug}&slide={number}")
    page.wait_for_function(FITTED, timeout=60_000)
    page.screenshot(path=str(screenshots / f"presenter-after-longest-log-{width}x{height}-light.png"))
    seen = page.evaluate(MEASURE)
    assert page.locator(".st-key-present-fit .idl-table tbody tr").count() == records  # every record, none hidden
    for text in seen["texts"]:
        assert text["y"] >= 0 and text["bottom"] <= height + 1 and text["right"] <= width + 1, (lesson.slug, text)
    least = page.locator(".st-key-present-fit .idl-table td").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert least >= 12, least  # smaller, still legible
    diagram = page.locator(".st-key-present-fit .idl-seq").inner_text()
    assert all(request in diagram for request in requests), (requests, diagram)
    expect(page.locator(".st-key-present-fit")).to_contain_text("At the end of the run")  # the log's moment, said
    context.close()


def _longest_moment_title():
    """The lesson and slide whose key-moment title is the longest of all lessons."""
    slides = []
    for lesson in load_all():
        deck = presenter_deck.deck(lesson, backends.run(scenario_for(lesson), "sim"))
        slides += [(presenter_deck.words(s.title), lesson, i, s) for i, s in enumerate(deck, 1) if s.kind == "moment"]
    _count, lesson, number, slide = max(slides, key=lambda found: found[0])
    return lesson, number, slide


@pytest.mark.parametrize("viewport", [PROJECTOR, LAPTOP], ids=["1920x1080", "1280x800"])
def test_the_longest_moment_title_reads_whole_above_the_whole_picture(browser, warmed, screenshots, viewport):
    lesson, number, slide = _longest_moment_title()
    width, height = viewport["width"], viewport["height"]
    context = browser.new_context(viewport=viewport)
    context.add_init_script(COUNT_RUNS)
    page = _open(context, f"{warmed}/presenter?lesson={lesson.slug}&slide={number}")
    page.wait_for_function(PICTURE_FITS, timeout=60_000)
    page.screenshot(path=str(screenshots / f"presenter-longest-moment-title-{width}x{height}.png"))
    title = page.locator("[class*='st-key-present-slide-'] h2").first
    expect(title).to_have_text(slide.title)
    assert "…" not in slide.title
    box = title.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height, box
    assert not title.evaluate("e => e.scrollWidth > e.clientWidth + 1")
    context.close()


def _wordiest_reveal():
    """The lesson and reveal slide with the most words once answered (every option and the reason)."""
    reveals = []
    for lesson in load_all():
        deck = presenter_deck.deck(lesson, backends.run(scenario_for(lesson), "sim"))  # numbered as the page does
        reveals += [(presenter_deck.words(presenter_deck.revealed(s)), lesson, i, s) for i, s in enumerate(deck, 1)]
    _count, lesson, number, slide = max((r for r in reveals if r[3].kind == "reveal"), key=lambda found: found[0])
    return lesson, number, slide


def test_a_reveal_without_a_class_marks_the_answer_among_the_options_behind_a_large_button(
    browser, warmed, screenshots
):
    lesson, number, slide = _wordiest_reveal()
    context = browser.new_context(viewport=PROJECTOR)
    context.add_init_script(COUNT_RUNS)
    page = _open(context, f"{warmed}/presenter?lesson={lesson.slug}&slide={number}")
    button = page.locator(".st-key-present-show-answer button")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 60  # hit from across the room at 1920x1080
    page.keyboard.press("s")  # the reveal key (presenter_view.SHOW_ANSWER_KEY)
    answer = page.locator(".st-key-present-answer")
    expect(answer).to_contain_text(slide.why, timeout=60_000)
    page.screenshot(path=str(screenshots / "presenter-reveal-answered-1920x1080.png"))
    options = answer.locator("li")
    expect(options).to_have_count(len(slide.choices))
    right = options.nth(slide.answer)
    expect(right).to_contain_text("✓")
    expect(right).to_contain_text("answer")
    assert right.evaluate("e => parseInt(getComputedStyle(e.querySelector('strong') || e).fontWeight)") >= 600
    for i in range(len(slide.choices)):
        expect(options.nth(i)).to_contain_text(slide.choices[i].replace("`", ""))
        if i != slide.answer:
            expect(options.nth(i)).not_to_contain_text("✓")
    seen = page.evaluate(MEASURE)
    for text in seen["texts"]:  # every option and the reason on screen, in their boxes
        inside = (
            text["x"] >= 0 and text["right"] <= PROJECTOR["width"] + 1 and text["bottom"] <= PROJECTOR["height"] + 1
        )
        assert inside and not text["overflows"], text
    context.close()
