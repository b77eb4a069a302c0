"""The mail room of a real lost-ack run with idempotence on, in Chromium: the notebook is
read from the broker after each decision, so the picture says so before the first read
and ends with the three batches the broker remembers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.needs import require_kafka


def scrub_to(page, room, position: int) -> None:
    room.locator(".mr-scrub").fill(str(position))
    page.wait_for_function(
        "([room, n]) => room.dataset.pos === String(n) && room.dataset.moving === '0'",
        arg=[room.element_handle(), position],
        timeout=30_000,
    )


@pytest.mark.kafka
@pytest.mark.timeout(420)
def test_a_real_runs_notebook_is_read_after_each_decision_in_the_picture(open_url, wait_run, screenshots):
    require_kafka()
    page = open_url("playground?scenario=lost-ack&idem=1")
    page.get_by_test_id("stSidebar").get_by_text("Local Kafka", exact=True).click()
    wait_run(page)
    page.get_by_role("button", name="Run on Local Kafka").click()
    expect(page.get_by_text("Stored log", exact=False).first).to_be_visible(timeout=120_000)
    wait_run(page)
    room = page.locator(".mr").last
    expect(room).to_be_visible()
    room.scroll_into_view_if_needed()
    scrub_to(page, room, 0)
    office = room.locator(".mr-in-office")
    expect(office).to_contain_text("real broker: read after each decision")
    expect(office).not_to_contain_text("after a broker action")
    scrub_to(page, room, int(room.locator(".mr-scrub").get_attribute("max")))
    expect(office.locator(".mr-batch")).to_have_count(3)
    room.screenshot(path=str(screenshots / "mailroom-real-lost-ack-notebook-end.png"))
