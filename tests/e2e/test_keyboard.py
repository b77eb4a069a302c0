"""Lesson 2 with the keyboard alone, in Chromium: skip to the content, reach the
prediction, choose, run, step through the key moments in the mail room, answer every
check question.  No mouse: only Tab, Enter, Space and the arrow keys.  At every stop the
focused element (inside the mail room's shadow root too) must show a focus indicator:
a computed outline or box-shadow.  The mail room's controls are reached by Tab and each
has an accessible name.  axe-core then checks the page in the state the learner left it.

Written against roles and accessible names ("Next step", "Previous step", ...), so it
holds for any mail room that keeps those names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load_all
from tests.e2e.test_accessibility import failing, run_axe

pytestmark = pytest.mark.timeout(300)

LESSON = next(lesson for lesson in load_all() if lesson.number == 2)
MAX_TABS = 120  # stops between two targets before the test gives up
MAILROOM_CONTROLS = ("First step", "Previous step", "Next step", "Last step", "Step", "Play speed")

# What has focus, looked up through shadow roots, and whether it shows it.
FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
  const box = el.getBoundingClientRect();
  const radio = el.closest("[data-testid=stRadio]");
  const host = el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null;
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute("type") || "", role: el.getAttribute("role") || "",
    name: (el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].innerText)
           || el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 90),
    visible: outline || shadow, outline: `${style.outlineStyle} ${style.outlineWidth}`, boxShadow: style.boxShadow,
    size: [Math.round(box.width), Math.round(box.height)],
    group: radio ? radio.querySelector("[data-testid=stWidgetLabel]").innerText.trim() : "",
    checked: !!el.checked, inMailroom: !!host || !!el.closest(".mr"),
    live: host ? (el.getRootNode().querySelector(".mr-live") || {}).textContent || "" : "",
  };
}"""


class Journey:
    """The learner's keyboard: every stop recorded with whether its focus is visible."""

    def __init__(self, page, wait_run):
        self.page, self.wait_run = page, wait_run
        self.stops: list[dict] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def record(self) -> dict | None:
        now = self.focused()
        if now is not None:
            self.stops.append(now)
        return now

    def press(self, key: str, rerun: bool = False) -> dict | None:
        self.page.keyboard.press(key)
        if rerun:
            self.wait_run(self.page)
        else:  # a key in the mail room may start a movement: wait until it has arrived
            expect(self.page.locator(".mr[data-moving='1']")).to_have_count(0)
        return self.record()

    def tab_to(self, wanted, what: str) -> dict:
        for _ in range(MAX_TABS):
            now = self.press("Tab")
            if now is not None and wanted(now):
                return now
        raise AssertionError(f"{what} not reached in {MAX_TABS} Tab presses; last stops: {self.stops[-8:]}")

    def invisible(self) -> list[dict]:
        return [stop for stop in self.stops if not stop["visible"]]


def choose(journey: Journey, group_start: str, answer: int) -> None:
    """Tab into a radio group, then Space on the first choice and ArrowDown to `answer`
    (each arrow selects, as in any radio group)."""
    journey.tab_to(lambda s: s["type"] == "radio" and s["group"].startswith(group_start), group_start)
    journey.press("Space", rerun=True)
    for _ in range(answer):
        journey.press("ArrowDown", rerun=True)
    now = journey.focused()
    assert now and now["checked"] and now["group"].startswith(group_start), now


def test_lesson_2_by_keyboard_alone_with_a_visible_focus_at_every_stop(open_url, page, wait_run, screenshots):
    open_url(f"lesson-{LESSON.slug}")
    journey = Journey(page, wait_run)

    # The skip link first, so the sidebar's fifteen links are not in the way.
    skip = journey.press("Tab")
    assert skip and skip["name"] == "Skip to main content", skip
    page.keyboard.press("Enter")

    choose(journey, "Your prediction", LESSON.prediction.answer)
    page.screenshot(path=str(screenshots / "keyboard-lesson-2-prediction.png"))

    journey.tab_to(lambda s: s["name"].endswith("Run the experiment"), "the Run button")
    journey.press("Enter", rerun=True)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Right.").first).to_be_visible()

    # The experiment's mail room: its controls in Tab order, each named.
    names: list[str] = []
    journey.tab_to(
        lambda s: (names.append(s["name"]) if s["inMailroom"] else None) or s["name"] == "Next step", "Next step"
    )
    start = len(journey.stops) - 1
    for _ in range(12):
        now = journey.focused()
        if "duplicate caught" in now["live"]:
            break
        journey.press("Enter")
    now = journey.focused()
    assert now["name"] == "Next step" and "duplicate caught" in now["live"], now
    page.screenshot(path=str(screenshots / "keyboard-lesson-2-duplicate-caught.png"))
    journey.press("ArrowLeft")  # the mail room's own keys: one moment back, one on
    assert "duplicate caught" not in journey.focused()["live"]
    journey.press("ArrowRight")
    assert "duplicate caught" in journey.focused()["live"]
    # Back by its button: Shift+Tab to "Previous step" (and on to "First step"), then
    # forward again to "Next step".
    back = [journey.press("Shift+Tab")["name"] for _ in range(3)]
    assert back[-2:] == ["Previous step", "First step"], back
    journey.press("Tab")
    journey.press("Enter")
    assert "duplicate caught" not in journey.focused()["live"]
    journey.tab_to(lambda s: s["name"] == "Next step", "Next step again")
    journey.press("Enter")
    assert "duplicate caught" in journey.focused()["live"]
    names += back
    # The rest of its controls, reached by Tab from here.
    for _ in range(MAX_TABS):
        now = journey.press("Tab")
        if now is None or not now["inMailroom"]:
            break
        names.append(now["name"])
    stepping = [stop["name"] for stop in journey.stops[start:] if stop["inMailroom"]]
    missing = [name for name in MAILROOM_CONTROLS if name not in names + stepping]
    assert not missing, f"mail room controls not reached by Tab: {missing}; reached {names}"
    assert any(name.startswith("Key moment") for name in names), names
    assert all(name for name in names), f"a mail room control without a name: {names}"

    for i, check in enumerate(LESSON.checks):
        choose(journey, f"Question {i + 1}", check.answer)
    expect(page.get_by_text(re.compile(f"Lesson {LESSON.number} done"))).to_be_visible()
    page.screenshot(path=str(screenshots / "keyboard-lesson-2-done.png"))

    print(f"\n{len(journey.stops)} keyboard stops; without a visible focus: {journey.invisible()}")
    assert not journey.invisible(), "stops without a visible focus indicator:\n" + "\n".join(
        f"{stop['tag']} {stop['role']} {stop['name']!r}: outline {stop['outline']}, box-shadow {stop['boxShadow']}"
        for stop in journey.invisible()
    )

    # The page as the learner left it: run, stepped, answered.
    problems = failing(run_axe(page))
    assert not problems, "\n".join(f"{p['rule']} ({p['impact']}) {p['html']}\n    {p['summary']}" for p in problems)
