"""The animated mail room in Chromium (ui/components/mailroom): lesson 2 stepped to the
moment the broker catches the duplicate, stepping without the server, breaking a receipt
with a click, the prediction lock, and screenshots (light, dark, 1280x800, 1920x1080)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load_all

pytestmark = pytest.mark.timeout(240)

LESSON = next(lesson for lesson in load_all() if lesson.number == 2)


def run_lesson_2(page, open_url, wait_run, theme: str | None = None):
    open_url(f"lesson-{LESSON.slug}", theme=theme)
    group = page.get_by_test_id("stRadio").filter(has=page.get_by_text("Your prediction"))
    group.get_by_role("radiogroup").locator("label").nth(LESSON.prediction.answer).click()
    wait_run(page)
    page.get_by_role("button", name="Run the experiment").click()
    wait_run(page)
    room = page.locator(".mr").nth(1)  # the analogy's comes first
    expect(room).to_be_visible()
    room.scroll_into_view_if_needed()
    return room


def test_lesson_2_steps_to_the_caught_duplicate_and_the_notebook_row_lights_up(open_url, page, wait_run, screenshots):
    room = run_lesson_2(page, open_url, wait_run)
    expect(room.locator(".mr-live")).to_contain_text("Step 0 of")  # opens at the beginning, not the end
    for _ in range(10):
        if "duplicate caught" in (room.locator(".mr-live").text_content() or ""):
            break
        room.get_by_role("button", name="Next step").click()
    expect(room.locator(".mr-live")).to_contain_text("duplicate caught")
    expect(room.locator(".mr-notebook .mr-batch.mr-hit")).to_have_count(1)
    expect(room.locator(".mr-notebook .mr-batch.mr-hit")).to_contain_text("seq 1")
    expect(room.locator(".mr-clerk")).to_contain_text("Already on the shelf at offset 1")
    expect(room.locator(".mr-shelf li.mr-hit")).to_contain_text("offset 1")
    room.screenshot(path=str(screenshots / "mailroom-lesson-2-duplicate-caught.png"))


def test_stepping_ten_times_sends_nothing_to_the_server(open_url, page, wait_run):
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload)[:40])))
    room = run_lesson_2(page, open_url, wait_run)
    room.get_by_label("every event").check()
    page.wait_for_timeout(500)
    before = len(sent)
    for _ in range(10):
        room.get_by_role("button", name="Next step").click()
    expect(room.locator(".mr-live")).to_contain_text("Step 10 of")
    room.get_by_role("button", name="Previous step").click()
    room.locator(".mr-scrub").fill("3")
    expect(room.locator(".mr-live")).to_contain_text("Step 3 of")
    page.wait_for_timeout(500)
    assert len(sent) == before, sent[before:]


def test_losing_a_receipt_by_clicking_it_reruns_with_that_fault_in_the_url(open_url, page, wait_run, screenshots):
    room = run_lesson_2(page, open_url, wait_run)
    room.get_by_label("every event").check()
    receipt = room.locator("button.mr-env-receipt").first
    for _ in range(30):
        if receipt.count():
            break
        room.get_by_role("button", name="Next step").click()
    expect(receipt).to_be_visible()
    number = receipt.get_attribute("data-r")
    receipt.click()
    room.screenshot(path=str(screenshots / "mailroom-break-a-receipt.png"))
    room.get_by_role("button", name="lose this receipt").click()
    page.wait_for_url(re.compile(rf"fault=[^&]*{number}(%3A|:)drop_response"))
    wait_run(page)
    expect(page.get_by_text("You broke this run yourself").first).to_be_visible()
    expect(page.locator(".mr").nth(1).locator(".mr-live")).to_contain_text("Step 0 of")


def test_the_prediction_locks_when_the_experiment_runs(open_url, page, wait_run):
    run_lesson_2(page, open_url, wait_run)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Right.").first).to_be_visible()
    group = page.get_by_test_id("stRadio").filter(has=page.get_by_text("Your prediction"))
    other = 0 if LESSON.prediction.answer else 1
    group.get_by_role("radiogroup").locator("label").nth(other).click()
    wait_run(page)
    expect(page.get_by_text("recorded as a second try").first).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="Second try: Not quite")).to_be_visible()
    assert re.search(rf"ans=[^&]*2\.p\.{LESSON.prediction.answer}", page.url), page.url


@pytest.mark.parametrize(("theme", "size"), [("light", (1920, 1080)), ("dark", (1280, 800)), ("dark", (1920, 1080))])
def test_mail_room_screenshots(open_url, page, wait_run, screenshots, theme, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    room = run_lesson_2(page, open_url, wait_run, theme=theme)
    room.locator(".mr-chip").filter(has_text="duplicate caught").click()
    expect(room.locator(".mr-notebook .mr-batch.mr-hit")).to_have_count(1)
    room.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"mailroom-lesson-2-{theme}-{size[0]}x{size[1]}.png"))
