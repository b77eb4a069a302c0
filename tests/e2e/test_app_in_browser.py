"""The app in a real browser: the lost-acknowledgement experiment, stepping, deep links,
dark theme, downloads (every page by its URL: tests/e2e/test_every_page.py)."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.timeout(240)


def test_dark_theme_really_is_dark(open_url):
    page = open_url("playground", theme="dark")
    background = page.evaluate("getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor")
    red, green, blue = [int(x) for x in background[background.index("(") + 1 : background.index(")")].split(",")[:3]]
    assert red + green + blue < 200, background


def mail_room(page):
    """The playground's animated mail room (ui/components/mailroom), stepping by event."""
    room = page.locator(".mr").first
    expect(room).to_be_visible()
    every = room.get_by_label("every event")
    if not every.is_checked():
        every.check()
    return room


def test_lost_acknowledgement_duplicates_without_idempotence_and_not_with_it(open_url, screenshots, wait_run):
    page = open_url("playground?scenario=lost-ack&idem=0")
    expect(page.locator("li", has_text="DUPLICATE of offset 1 (m2 stored twice)")).to_be_visible()
    page.screenshot(path=str(screenshots / "playground-lost-ack-off.png"))
    # A link opens with the set-up folded; its label says what it holds.
    setup = page.get_by_text(re.compile("^Set up the experiment: lost-ack"))
    expect(setup).to_contain_text("idempotence OFF")
    setup.click()
    wait_run(page)
    idempotence = page.get_by_test_id("stRadio").filter(has=page.get_by_text("enable.idempotence", exact=True))
    idempotence.get_by_text("on", exact=True).click()
    wait_run(page)
    expect(page.get_by_text("DUPLICATE of offset")).to_have_count(0)
    assert "idem=1" in page.url
    room = mail_room(page)
    room.get_by_role("button", name="Last step").click()
    expect(room.locator(".mr-slot")).to_have_count(3)  # the shelf's slots
    expect(room.locator(".mr-slot").nth(1)).to_contain_text("m2")
    page.get_by_test_id("stButtonGroup").get_by_text("Sequence diagram", exact=True).click()
    wait_run(page)
    # The first Plotly chart of a session fetches Plotly's large script: allow for it.
    expect(page.get_by_text("PID 0 · epoch 0 · seq 1").first).to_be_attached(timeout=30_000)
    page.screenshot(path=str(screenshots / "playground-lost-ack-on-sequence.png"))


def test_stepping_back_and_forth_with_buttons_and_keys(open_url):
    page = open_url("playground?scenario=lost-ack&idem=0&step=5")
    room = mail_room(page)
    live = room.locator(".mr-live")
    expect(live).to_contain_text("Step 5 of")
    room.get_by_role("button", name="Next step").click()
    expect(live).to_contain_text("Step 6 of")
    room.get_by_role("button", name="Previous step").click()
    room.get_by_role("button", name="Previous step").click()
    expect(live).to_contain_text("Step 4 of")
    room.get_by_role("button", name="Next step").focus()
    page.keyboard.press("ArrowRight")
    expect(live).to_contain_text("Step 5 of")


def test_a_deep_link_reproduces_the_view_in_a_new_browser_context(open_url, browser):
    page = open_url("playground?scenario=lost-ack&idem=0&fault=2:drop_response&step=10")
    live = mail_room(page).locator(".mr-live")
    expect(live).to_contain_text("Step 10 of")
    shown = live.inner_text()
    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.goto(page.url)
    other_live = mail_room(other).locator(".mr-live")
    expect(other_live).to_contain_text("Step 10 of")
    expect(other_live).to_have_text(shown)
    other.context.close()


def test_a_malformed_deep_link_shows_a_notice_not_a_traceback(open_url):
    page = open_url("playground?scenario=nope&fault=zz")
    expect(page.get_by_text("Unknown scenario")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_the_trace_downloads_as_json_and_the_code_is_shown(open_url, wait_run):
    page = open_url("playground?scenario=lost-ack&idem=0")
    page.get_by_text(re.compile("^Take it away")).click()
    wait_run(page)
    expect(page.get_by_test_id("stCode").first).to_contain_text("'enable.idempotence': False")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Trace as JSON").click()
    data = json.loads(Path(download_info.value.path()).read_text())
    assert data["events"] and data["stored"]
