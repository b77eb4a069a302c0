"""A workshop in Chromium: the presenter opened by its URL (a refresh stays on the slide,
the arrow keys work before any click, the sidebar is folded, the current moment is on
screen at 1920x1080), a reveal slide, a live class with two learner browsers and one
presenter (their answers appear on the reveal slide), and Compare opened by
`?scenario=reorder`.  The server gets its own class database (IDEMLAB_CLASS_DB)."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load
from tests.e2e.conftest import streamlit_server, wait_for_app_run
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
    page = context.new_page()
    page.set_default_timeout(30_000)
    if theme:
        url += ("&" if "?" in url else "?") + f"embed_options={theme}_theme"
    page.goto(url)
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_for_app_run(page)
    return context, page


def slide_caption(page):
    return page.get_by_test_id("stMarkdown").filter(has_text=re.compile(r"^Slide \d+ of \d+"))


def shoot(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"))


def test_the_presenter_url_opens_the_slide_keys_work_at_once_and_a_refresh_stays(browser, server, screenshots):
    context, page = open_page(browser, f"{server}/presenter?lesson={LESSON.slug}&slide={PREDICT}")
    expect(slide_caption(page)).to_contain_text(f"Slide {PREDICT} of")
    expect(page.get_by_role("heading", name="Predict")).to_be_visible()
    options = page.get_by_test_id("stMarkdown").locator("li")
    expect(options).to_have_count(len(LESSON.prediction.choices))  # one option per line
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
    expect(page.get_by_text(f"Answer {presenter_deck.letter(LESSON.prediction.answer)}.")).to_be_visible()
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
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"] + 5, box  # the current (last) row is on screen
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


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_class_answers_and_the_reveal_slide_shows_them(browser, server, screenshots, theme):
    host, instructor = open_page(browser, f"{server}/instructor", theme=theme)
    instructor.get_by_role("button", name="Open a class").click()
    wait_for_app_run(instructor)
    heading = instructor.get_by_text(re.compile(r"Class code: [A-Z2-9]{6}"))
    expect(heading).to_be_visible()
    code = re.search(r"Class code: ([A-Z2-9]{6})", heading.inner_text())[1]
    shoot(instructor, screenshots, f"workshop-instructor-class-1920-{theme}")
    right, wrong = LESSON.prediction.answer, (LESSON.prediction.answer + 1) % len(LESSON.prediction.choices)
    learners = [_join(browser, server, code, right), _join(browser, server, code, wrong)]
    shoot(learners[0][1], screenshots, f"workshop-learner-answered-1280-{theme}")
    _present, presenter = open_page(
        browser, f"{server}/presenter?lesson={LESSON.slug}&slide={REVEAL}&class={code}", theme=theme
    )
    chart = presenter.locator(".idl-class-chart")
    expect(presenter.get_by_role("strong").filter(has_text=f"Class {code}: 2 of 2 learners answered")).to_be_visible()
    expect(chart.locator(".row").nth(right)).to_contain_text("1 · 50 %")
    expect(chart.locator(".row").nth(wrong)).to_contain_text("1 · 50 %")
    expect(chart.locator("table")).to_have_count(1)  # the same numbers as a table
    shoot(presenter, screenshots, f"workshop-presenter-reveal-class-1920-{theme}")
    presenter.goto(f"{server}/presenter?lesson={LESSON.slug}&slide=1&class={code}")
    wait_for_app_run(presenter)
    expect(presenter.get_by_text(code).first).to_be_visible()  # the join code on the title slide
    for context, _page in [*learners, (_present, presenter), (host, instructor)]:
        context.close()


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
