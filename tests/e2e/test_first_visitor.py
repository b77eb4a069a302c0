"""The very first visitor of a freshly started server, arriving by a deep link.

Streamlit runs that first session in its legacy pages/ mode, which says "Page not
found" for a lesson URL before the app switches to st.navigation (ui/widgets/navigation_mode.py).
The learner must end up on the right page with the app's own sidebar and no dialog."""

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load_all
from tests.e2e.conftest import COUNT_RUNS

pytestmark = pytest.mark.timeout(240)

PAGE_NOT_FOUND_WATCH = """
window.__pageNotFound = {shown: null, gone: null};
new MutationObserver(() => {
  const there = [...document.querySelectorAll("[role=dialog] h2")].some(h => h.textContent.includes("Page not found"));
  const seen = window.__pageNotFound;
  if (there && seen.shown === null) seen.shown = performance.now();
  if (!there && seen.shown !== null && seen.gone === null) seen.gone = performance.now();
}).observe(document, {childList: true, subtree: true});
"""


@pytest.mark.parametrize("lesson", [load_all()[0]], ids=lambda lesson: lesson.slug)
def test_first_visitor_of_a_fresh_server_lands_on_the_lesson_without_a_dialog(fresh_server, browser, lesson, wait_run):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.add_init_script(PAGE_NOT_FOUND_WATCH)
    page.goto(f"{fresh_server}/lesson-{lesson.slug}")
    expect(page.locator("h1").first).to_contain_text(lesson.title, timeout=60_000)
    wait_run(page)
    expect(page.get_by_role("dialog").filter(has_text="Page not found")).to_have_count(0, timeout=15_000)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Playground")).to_be_visible()  # the app's menu, not the legacy file list
    expect(nav.get_by_text("presenter", exact=True)).to_have_count(0)
    seen = page.evaluate("window.__pageNotFound")
    if seen["shown"] is not None:
        print(f"legacy 'Page not found' dialog was open for {seen['gone'] - seen['shown']:.0f} ms, then closed")
    context.close()
