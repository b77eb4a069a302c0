"""The presenter's clicker in Chromium: after a click on one of the mail room's controls on a
slide (a button, the step slider), the keys a clicker sends (→ ← PageDown PageUp) still move
the slides and leave the mail room where it is; the mail room's other keys (End, Home) still
step it while the focus is in it.  On a lesson page its arrow keys are its own
(tests/e2e/test_keyboard.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from idemlab import backends
from idemlab.lessons import load, scenario_for
from tests.e2e.conftest import COUNT_RUNS, wait_for_app_run
from ui.views import presenter_deck

pytestmark = pytest.mark.timeout(600)

LESSON = load("letters-get-lost")
DECK = presenter_deck.deck(LESSON, backends.run(scenario_for(LESSON), "sim"))
FIRST_MOMENT = next(i for i, slide in enumerate(DECK, 1) if slide.kind == "moment")
assert DECK[FIRST_MOMENT].kind == "moment"  # the next slide has a mail room too


@pytest.fixture
def presenter(browser, warmed):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{warmed}/presenter?lesson={LESSON.slug}&slide={FIRST_MOMENT}")
    wait_for_app_run(page)
    yield page
    context.close()


def mailroom(page):
    room = page.locator("[class*='st-key-present-slide-'] .mr")
    expect(room).to_have_count(1)
    expect(room).to_have_attribute("data-moving", "0")
    return room


def on_slide(page, number: int) -> None:
    wait_for_app_run(page)
    expect(page).to_have_url(re.compile(rf"[?&]slide={number}(&|$)"))
    expect(page.get_by_text(f"Slide {number} of {len(DECK)}")).to_be_visible()


def test_the_clicker_moves_the_slides_after_a_click_in_the_mail_room(presenter):
    page = presenter
    room = mailroom(page)
    room.get_by_role("button", name="Next step").click()
    expect(room).to_have_attribute("data-moving", "0")
    page.keyboard.press("ArrowRight")
    on_slide(page, FIRST_MOMENT + 1)

    room = mailroom(page)
    start = room.get_attribute("data-pos")
    room.get_by_role("button", name="Previous step").click()
    expect(room).not_to_have_attribute("data-pos", start)
    page.keyboard.press("ArrowLeft")
    on_slide(page, FIRST_MOMENT)

    room = mailroom(page)
    room.get_by_role("button", name="Next step").click()
    page.keyboard.press("PageDown")
    on_slide(page, FIRST_MOMENT + 1)
    room = mailroom(page)
    room.get_by_role("button", name="First step").click()
    page.keyboard.press("PageUp")
    on_slide(page, FIRST_MOMENT)


def test_the_clicker_moves_the_slides_from_the_mail_rooms_step_slider(presenter):
    page = presenter
    mailroom(page).locator(".mr-scrub").focus()
    page.keyboard.press("ArrowRight")  # Streamlit's shortcuts ignore keys typed into a field
    on_slide(page, FIRST_MOMENT + 1)

    room = mailroom(page)
    room.locator(".mr-scrub").focus()
    page.keyboard.press("PageUp")
    on_slide(page, FIRST_MOMENT)


def test_the_mail_rooms_own_keys_still_step_it_on_a_slide(presenter):
    page = presenter
    room = mailroom(page)
    last = room.locator(".mr-scrub").get_attribute("max")
    room.locator(".mr-play").focus()  # a control that is never disabled, so it keeps the focus
    page.keyboard.press("End")
    expect(room).to_have_attribute("data-pos", last)
    page.keyboard.press("Home")
    expect(room).to_have_attribute("data-pos", "0")
    expect(page).to_have_url(re.compile(rf"[?&]slide={FIRST_MOMENT}(&|$)"))
    expect(room.locator(".mr-help")).to_contain_text("move the slides")
