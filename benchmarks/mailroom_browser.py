"""The animated mail room in Chromium (Debian's, Playwright, `streamlit run app.py`):

(a) one step in the browser: on lesson 2's experiment (28 events, "every event" ticked),
    the time from a click on "Next step" (or "Previous step") until the next frame is
    painted (click -> redraw -> two requestAnimationFrame callbacks; a Next then goes on
    moving its envelopes for up to 1.5 s, a click mid-movement finishes it), over every step
    forward and back, in one page; median and 95th percentile.  No server round trip is
    involved (tests/e2e/test_mailroom.py checks that no websocket frame is sent);
(b) opening a lesson to a playing mail room: seconds from page.goto(lesson 2) in a fresh
    browser context until its opening mail room reports data-playing="1", median of N,
    side by side in the same run with the same wait for a bare Streamlit page (a title and a
    small HTML table, benchmarks/app_browser.py's floor app); the difference and the ratio.

    python -m benchmarks.mailroom_browser [--runs 5]

The load average is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from playwright.sync_api import sync_playwright

from benchmarks.app_browser import CHROMIUM, CHROMIUM_ARGS, floor_seconds, start_server, wait_idle
from idemlab.lessons import load_all

LESSON = next(lesson for lesson in load_all() if lesson.number == 2)
PATH = f"lesson-{LESSON.slug}"
PLAYING = ".mr[data-playing='1']"

STEP_TIMER = """async (root) => {
  const named = (name) => [...root.querySelectorAll("button")].find((b) => b.textContent.trim() === name);
  const next = named("Next step");
  const prev = named("Previous step");
  const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const painted = [], drawn = [];
  for (const button of [next, prev]) {
    for (let i = 0; i < 40 && !button.disabled; i++) {
      const t0 = performance.now();
      button.click();
      void root.offsetHeight;  // force style and layout of the redraw
      drawn.push(performance.now() - t0);
      await frame();
      painted.push(performance.now() - t0);
    }
  }
  return [painted, drawn];
}"""


def open_lesson(browser, url: str) -> tuple:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{url}/{PATH}")
    page.wait_for_selector(PLAYING, state="attached", timeout=60_000)
    return context, page, time.perf_counter() - started


def step_times(page) -> list[float]:
    group = page.get_by_test_id("stRadio").filter(has=page.get_by_text("Your prediction"))
    group.get_by_role("radiogroup").locator("label").nth(LESSON.prediction.answer).click()
    wait_idle(page)
    page.get_by_role("button", name="Run the experiment").click()
    wait_idle(page)
    room = page.locator(".mr").nth(1)
    room.scroll_into_view_if_needed()
    room.get_by_label("every event").check()
    return room.evaluate(STEP_TIMER)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context, page, _ = open_lesson(browser, url)  # warm the server: imports, caches
            wait_idle(page)
            painted, drawn = step_times(page)
            context.close()
            load = os.getloadavg()
            for what, steps in (("click -> painted (two animation frames)", painted), ("click -> laid out", drawn)):
                steps.sort()
                p95 = steps[min(len(steps) - 1, int(0.95 * len(steps)))]
                print(
                    f"(a) one step in the browser, {what}, lesson 2, {len(steps)} steps forward and back: "
                    f"median {statistics.median(steps):.1f} ms, p95 {p95:.1f} ms, max {steps[-1]:.1f} ms "
                    f"(target < 50 ms); load average {load[0]:.2f}"
                )

            lesson = []
            for _ in range(args.runs):
                context, page, seconds = open_lesson(browser, url)
                lesson.append(seconds)
                wait_idle(page)
                context.close()
            floor = floor_seconds(browser, args.runs)
            browser.close()
            a, b = statistics.median(lesson), statistics.median(floor)
            load = os.getloadavg()
            print(
                f"(b) /{PATH} -> a playing mail room: median {a:.2f} s (min {min(lesson):.2f}, max {max(lesson):.2f}); "
                f"bare Streamlit page (title + table): median {b:.2f} s (min {min(floor):.2f}, max {max(floor):.2f}); "
                f"difference {a - b:.2f} s (target < 1 s), ratio {a / b:.2f}; {args.runs} fresh contexts each; "
                f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
