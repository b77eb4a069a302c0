"""A workshop in Chromium: the presenter opened by its URL (a refresh stays on the slide,
the arrow keys work before any click, the sidebar is folded, the current moment is on
screen at 1920x1080), a reveal slide whose answer waits for its key, a live class with an
instructor and three learner browsers through one question (predict, run without a
verdict, the counter, the reveal, the verdicts appearing by themselves), the title slide
at 1920x1080 (the code and link at 48 px or more, a QR code that encodes the join link),
and Compare opened by `?scenario=reorder`.  The server gets its own class database
(IDEMLAB_CLASS_DB)."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load
from tests.e2e.conftest import COUNT_RUNS, streamlit_server, wait_for_app_run
from tests.unit.test_classroom import qr_matrix_of_svg, segno_matrix, svg_of_img
from ui.views import presenter_deck

pytestmark = pytest.mark.timeout(300)

LESSON = load("keeping-order")
DECK = presenter_deck.deck(LESSON, None)
PREDICT = next(i for i, s in enumerate(DECK, 1) if s.kind == "question")
REVEAL = PREDICT + 1
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    db = tmp_path_factory.mktemp("classes") / "classes.sqlite3"
    before = os.environ.get("IDEMLAB_CLASS_DB")
    os.environ["IDEMLAB_CLASS_DB"] = str(db)
    try:
        with streamlit_server() as url:
            context = browser.new_context()
            context.add_init_script(COUNT_RUNS)
            page = context.new_page()
            page.goto(url)  # the first visit switches Streamlit out of its legacy pages/ mode
            page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
            wait_for_app_run(page)
            context.close()
            yield url
    finally:
        if before is None:
            os.environ.pop("IDEMLAB_CLASS_DB", None)
        else:
            os.environ["IDEMLAB_CLASS_DB"] = before


def open_page(browser, url: str, viewport=PROJECTOR, theme: str | None = None):
    context = browser.new_context(viewport=viewport, color_scheme=theme or "light")
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.set_default_timeout(30_000)
    if theme:
        url += ("&" if "?" in url else "?") + f"embed_options={theme}_theme"
    page.goto(url)
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_for_app_run(page)
    return context, page


def on_slide(page):
    """The slide's own text: the speaker notes are in the page too, folded."""
    return page.locator("[data-testid='stMain'] [data-testid='stMarkdown']:not([data-testid='stExpander'] *)")


def answer_on_slide(page, question):
    """The answer named under the class chart (a class is hosted)."""
    return on_slide(page).filter(has_text=f"Answer {presenter_deck.letter(question.answer)}.")


def answer_marked_among_the_options(page, question):
    """The right option marked in the list of options (no class: no chart lists them)."""
    return on_slide(page).locator("li").filter(has_text=f"✓ {presenter_deck.letter(question.answer)}.")


def slide_caption(page):
    return page.get_by_test_id("stMarkdown").filter(has_text=re.compile(r"^Slide \d+ of \d+"))


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"))


def test_the_presenter_url_opens_the_slide_keys_work_at_once_and_a_refresh_stays(browser, server, screenshots):
    context, page = open_page(browser, f"{server}/presenter?lesson={LESSON.slug}&slide={PREDICT}")
    expect(slide_caption(page)).to_contain_text(f"Slide {PREDICT} of")
    expect(page.get_by_role("heading", name="Predict")).to_be_visible()
    options = on_slide(page).locator("li")
    expect(options).to_have_count(len(LESSON.prediction.choices))  # one option per line
    predict = DECK[PREDICT - 1]
    expect(options.first).to_contain_text(predict.choices[0])  # the slide's short version
    expect(page.get_by_text(LESSON.prediction.question)).to_be_hidden()  # the lesson's words are in the notes
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    shoot(page, screenshots, "workshop-presenter-predict-1920-light")
    page.keyboard.press("ArrowRight")  # no click first
    wait_for_app_run(page)
    expect(slide_caption(page)).to_contain_text(f"Slide {REVEAL} of")
    expect(page).to_have_url(re.compile(rf"slide={REVEAL}\b"))
    page.reload()
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_for_app_run(page)
    expect(slide_caption(page)).to_contain_text(f"Slide {REVEAL} of")
    answer = answer_marked_among_the_options(page, LESSON.prediction)
    expect(answer).to_have_count(0)  # the room discusses first
    expect(page.get_by_text("Speaker notes")).to_have_count(0)  # they hold the answer
    page.keyboard.press("s")  # its own key, no option's letter
    wait_for_app_run(page)
    expect(answer).to_be_visible()
    expect(answer).to_contain_text(DECK[REVEAL - 1].choices[LESSON.prediction.answer])  # it names the option
    page.get_by_text("Speaker notes").click()
    expect(page.get_by_text(LESSON.prediction.correct)).to_be_visible()  # the lesson's full answer, for the instructor
    page.keyboard.press("PageDown")  # a presentation clicker
    wait_for_app_run(page)
    expect(slide_caption(page)).to_contain_text(f"Slide {REVEAL + 1} of")
    context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_moment_slide_shows_the_current_moment_on_a_projector(browser, server, screenshots, theme):
    moment = REVEAL + 1
    context, page = open_page(browser, f"{server}/presenter?lesson={LESSON.slug}&slide={moment}", theme=theme)
    expect(slide_caption(page)).to_contain_text(f"Slide {moment} of")
    view = page.locator(".mr-stage, .idl-mailroom").first  # the animated mail room, or its HTML fallback
    expect(view).to_be_visible()
    box = view.bounding_box()
    assert box and box["y"] < PROJECTOR["height"] - 100, box  # starts well above the fold
    shoot(page, screenshots, f"workshop-presenter-moment-mailroom-1920-{theme}")
    page.get_by_test_id("stButtonGroup").get_by_text("Sequence diagram").click()
    wait_for_app_run(page, 800)
    current = page.locator("figure.idl-seq li[aria-current='step']")  # the HTML diagram's current row
    expect(current).to_be_visible()
    box = current.bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"] + 5, box  # the current row is on screen
    shoot(page, screenshots, f"workshop-presenter-moment-sequence-1920-{theme}")
    context.close()
    context, page = open_page(browser, f"{server}/presenter?lesson={LESSON.slug}&slide={moment}", LAPTOP, theme)
    shoot(page, screenshots, f"workshop-presenter-moment-1280-{theme}")
    context.close()


def _join(browser, server, code: str, choice: int):
    context, page = open_page(browser, f"{server}/class?code={code}", LAPTOP)
    expect(page.get_by_label("Class code")).to_have_value(code)
    page.get_by_role("button", name="Join the class").click()
    wait_for_app_run(page)
    expect(page.get_by_text(f"You are in class {code}")).to_be_visible()
    member = parse_qs(urlparse(page.url).query)["cls"][0]
    page.goto(f"{server}/lesson-{LESSON.slug}?cls={member}")  # a new session: the URL keeps the class
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_for_app_run(page)
    group = page.get_by_test_id("stRadio").filter(has=page.get_by_text("Your prediction"))
    group.get_by_role("radiogroup").locator("label").nth(choice).click()
    wait_for_app_run(page)
    page.get_by_role("button", name="Run the experiment").click()  # running locks the prediction: it counts
    wait_for_app_run(page)
    return context, page


def _verdict(page):
    """The verdict alert (its text follows the icon's name, so no ^ anchor)."""
    return (
        page.get_by_test_id("stAlertContentSuccess")
        .or_(page.get_by_test_id("stAlertContentError"))
        .filter(has_text=re.compile(r"Right\.|Not quite —"))
    )


def _open_class(browser, server):
    """The instructor opens a class: (context, page, code, the control link's key)."""
    context, page = open_page(browser, f"{server}/instructor")
    page.get_by_role("button", name="Open a class").click()
    wait_for_app_run(page)
    heading = page.get_by_text(re.compile(r"Class code: [A-Z2-9]{6}"))
    expect(heading).to_be_visible()
    code = re.search(r"Class code: ([A-Z2-9]{6})", heading.inner_text())[1]
    expect(page).to_have_url(re.compile(r"key=[A-Za-z0-9_-]{16,}"))
    key = parse_qs(urlparse(page.url).query)["key"][0]
    return context, page, code, key


def test_an_instructor_and_three_learners_through_one_question(browser, server, screenshots):
    host, instructor, code, key = _open_class(browser, server)
    shoot(instructor, screenshots, "workshop-instructor-class-1920-light")
    question = LESSON.prediction
    right, wrong = question.answer, (question.answer + 1) % len(question.choices)
    choices = [right, wrong, right]
    learners = [_join(browser, server, code, choice) for choice in choices]
    for _context, page in learners:  # the run is shown, the verdict is not
        expect(page.get_by_text("The verdict comes when your instructor reveals")).to_be_visible()
        expect(page.get_by_role("button", name="Run the experiment")).to_be_visible()
        expect(_verdict(page)).to_have_count(0)
    shoot(learners[0][1], screenshots, "workshop-learner-waiting-for-the-reveal-1280-light")
    present, presenter = open_page(
        browser, f"{server}/presenter?lesson={LESSON.slug}&slide={PREDICT}&class={code}&key={key}"
    )
    expect(presenter.get_by_text("3 of 3 answered")).to_be_visible()  # the counter on the Predict slide
    presenter.keyboard.press("ArrowRight")
    wait_for_app_run(presenter)
    chart = presenter.locator(".idl-class-chart")
    expect(presenter.get_by_role("strong").filter(has_text=f"Class {code}: 3 of 3 answered")).to_be_visible()
    expect(chart.locator(".row").nth(right)).to_contain_text("2 · 67 %")
    expect(chart.locator(".row").nth(right)).to_contain_text(DECK[REVEAL - 1].choices[right])  # the lesson's letter
    expect(chart.locator(".row").nth(wrong)).to_contain_text("1 · 33 %")
    answer = answer_on_slide(presenter, question)
    expect(answer).to_have_count(0)  # the chart first, the answer on its own key
    shoot(presenter, screenshots, "workshop-presenter-reveal-class-before-answer-1920-light")
    presenter.keyboard.press("s")
    wait_for_app_run(presenter)
    expect(answer).to_be_visible()
    expect(chart.locator(".row").nth(right)).to_contain_text("2 · 67 %")  # the chart stays
    shoot(presenter, screenshots, "workshop-presenter-reveal-class-answer-1920-light")
    for (_context, page), choice in zip(learners, choices, strict=True):  # no reload: the page polls
        expect(_verdict(page)).to_have_count(1, timeout=60_000)
        expect(_verdict(page)).to_contain_text("Right." if choice == right else "Not quite")
    shoot(learners[1][1], screenshots, "workshop-learner-verdict-after-the-reveal-1280-light")
    for context, _page in [*learners, (present, presenter), (host, instructor)]:
        context.close()


def test_a_learners_link_cannot_control_the_class(browser, server):
    host, _instructor, code, _key = _open_class(browser, server)
    context, page = open_page(browser, f"{server}/instructor?class={code}", LAPTOP)
    expect(page.get_by_text("controlled only from its instructor's link")).to_be_visible()
    expect(page.get_by_role("button", name="End the class now")).to_have_count(0)
    context.close()
    host.close()


def test_the_title_slide_is_legible_from_the_back_and_its_qr_code_is_the_join_link(browser, server, screenshots):
    host, _instructor, code, key = _open_class(browser, server)
    context, page = open_page(browser, f"{server}/presenter?lesson={LESSON.slug}&slide=1&class={code}&key={key}")
    card = page.locator(".idl-join")
    expect(card).to_be_visible()
    join = f"{server}/class?code={code}"
    expect(card.get_by_test_id("join-code")).to_have_text(code)
    expect(card.get_by_test_id("join-link")).to_have_text(join)
    expect(card).to_contain_text("Join a class")  # the menu's real name
    for part in ("join-code", "join-link"):
        size = card.get_by_test_id(part).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 48, (part, size)
    for part in ("join-code", "join-link", "join-qr"):
        box = card.get_by_test_id(part).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PROJECTOR["width"] + 1, (part, box)
        assert box["y"] + box["height"] <= PROJECTOR["height"] + 1, (part, box)  # all of it above the fold
    image = card.get_by_test_id("join-qr").locator("img")
    assert image.evaluate("i => i.complete && i.naturalWidth > 0")  # the browser drew it
    assert image.bounding_box()["width"] >= 290  # about 9 px a module: scannable from the room
    src = image.get_attribute("src")
    assert qr_matrix_of_svg(svg_of_img(src)) == segno_matrix(join)  # what is drawn encodes the join link
    assert key not in page.locator("[data-testid='stMain']").inner_text()  # the secret is not on the slide
    shoot(page, screenshots, "workshop-presenter-title-join-1920-light")
    context.close()
    host.close()


def test_compare_opens_the_scenario_its_link_names(browser, server, screenshots):
    context, page = open_page(browser, f"{server}/compare?scenario=reorder", LAPTOP)
    expect(page.get_by_role("combobox", name="Scenario")).to_have_value("reorder")
    expect(page.get_by_text("Idempotence OFF", exact=True)).to_be_visible()
    shoot(page, screenshots, "workshop-compare-reorder-1280-light")
    context.close()
    context, page = open_page(browser, f"{server}/compare?scenario=lost-ack&fault=3:drop_response", LAPTOP)
    expect(page.get_by_role("combobox", name="Scenario")).to_have_value("lost-ack")
    expect(page.get_by_text("From the link: fault")).to_be_visible()
    context.close()
