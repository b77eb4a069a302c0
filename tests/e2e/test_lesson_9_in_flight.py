"""Lesson 9's moment in Chromium: three requests on the wire at once.  Next in the mail room
stops where all three are in the post together (plan.stops), and the sequence diagram at the
end of the run draws the three Produce requests before the first answer (the fold keeps them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load_all

pytestmark = pytest.mark.timeout(300)

LESSON = next(lesson for lesson in load_all() if lesson.number == 9)
ANSWERS = ",".join(
    [f"9.p.{LESSON.prediction.answer}"] + [f"9.c{i}.{check.answer}" for i, check in enumerate(LESSON.checks)]
)
# The request numbers of the envelopes and receipts drawn in the post right now.
IN_THE_POST = """(root) => [...new Set([...root.querySelectorAll(".mr-tok")]
  .filter((t) => t.style.display !== "none" && !t.dataset.kind.startsWith("init")).map((t) => Number(t.dataset.r)))].sort()"""


ENVELOPE_LABELS = """(root) => [...root.querySelectorAll(".mr-tok")]
  .filter((t) => t.style.display !== "none" && t.dataset.kind === "letter")
  .map((t) => t.querySelector(".mr-tok-text tspan").textContent)"""


def test_next_stops_where_three_envelopes_are_in_the_post_together(open_url, page, screenshots):
    open_url(f"lesson-{LESSON.slug}?ans={ANSWERS}")
    room = page.locator(".mr").last
    expect(room).to_be_visible(timeout=60_000)
    room.scroll_into_view_if_needed()
    seen = []
    for _ in range(12):
        room.get_by_role("button", name="Next step").click()
        expect(room).to_have_attribute("data-moving", "0")
        seen.append(room.evaluate(IN_THE_POST))
        if seen[-1] == [2, 3, 4]:
            break
    assert seen[-1] == [2, 3, 4], seen
    expect(room.locator(".mr-now")).to_contain_text(
        "3 requests unanswered: #4 on its way, the answers to #2 and #3 coming back"
    )
    # an envelope of five is named by its first and last letter ("m12, m1…" read as m12 and m1)
    envelopes = room.evaluate(ENVELOPE_LABELS)
    assert "m12…m16" in envelopes and not any("," in label for label in envelopes), envelopes
    room.screenshot(path=str(screenshots / "mailroom-lesson-9-three-in-flight.png"))


def test_the_diagram_draws_the_three_requests_before_the_first_answer(open_url, page, wait_run):
    open_url(f"lesson-{LESSON.slug}?ans={ANSWERS}")
    page.get_by_test_id("stButtonGroup").get_by_text("Sequence diagram", exact=True).click()
    figure = page.locator("figure.idl-seq")
    expect(figure).to_be_visible(timeout=60_000)
    wait_run(page)
    rows = figure.locator("li").all_inner_texts()
    first_answer = next(i for i, row in enumerate(rows) if "reply #" in row or "ack #" in row)
    for number in (2, 3, 4):
        assert any(f"#{number} Produce" in row for row in rows[:first_answer]), (number, rows)
