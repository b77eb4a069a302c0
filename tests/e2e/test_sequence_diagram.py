"""The playground's sequence diagram (ui/views/sequence_html.py) in Chromium: no label is
ever clipped, at 1280 and 1920 wide, light and dark, for runs whose labels are long (a
producer id explained in words, fatal errors, broker restarts, long error codes)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import COUNT_RUNS, wait_for_app_run

pytestmark = pytest.mark.timeout(300)

VIEWPORTS = ({"width": 1280, "height": 800}, {"width": 1920, "height": 1080})
SCENARIOS = ("lost-ack&idem=1", "gapless-fatal", "broker-restart", "message-too-large")

# Every visible piece of text in the figure, as the boxes its lines occupy, beside the
# figure's own box and the box of the page column it sits in.
TEXT_BOXES = """
(figure) => {
  const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  const walker = document.createTreeWalker(figure, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest('.idl-sr')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) texts.push({text: node.textContent.slice(0, 60), ...box(rect)});
  }
  const column = figure.closest('[data-testid="stVerticalBlock"]');
  return {figure: box(figure.getBoundingClientRect()), column: box(column.getBoundingClientRect()),
          overflow: figure.scrollWidth - figure.clientWidth, texts};
}
"""


def outside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (
        inner["left"] < outer["left"] - slack
        or inner["right"] > outer["right"] + slack
        or inner["top"] < outer["top"] - slack
        or inner["bottom"] > outer["bottom"] + slack
    )


def open_diagram(page, url: str):
    page.goto(url)
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_for_app_run(page)
    page.get_by_test_id("stButtonGroup").get_by_text("Sequence diagram", exact=True).click()
    figure = page.locator("figure.idl-seq")
    expect(figure).to_be_visible(timeout=30_000)
    wait_for_app_run(page)
    return figure


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_label_of_the_sequence_diagram_is_clipped(browser, warmed, scenario, theme):
    context = browser.new_context(viewport=VIEWPORTS[0])
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    figure = open_diagram(page, f"{warmed}/playground?scenario={scenario}&embed_options={theme}_theme")
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        page.wait_for_function("w => window.innerWidth === w", arg=viewport["width"])
        boxes = figure.evaluate(TEXT_BOXES)
        assert len(boxes["texts"]) > 5, boxes  # the labels were found
        assert boxes["overflow"] <= 0, (viewport, boxes["overflow"])
        assert not outside(boxes["figure"], boxes["column"]), (viewport, boxes["figure"], boxes["column"])
        clipped = [t for t in boxes["texts"] if outside(t, boxes["figure"])]
        assert not clipped, (viewport, boxes["figure"], clipped[:5])
    context.close()


def test_the_diagram_draws_the_long_producer_id_sentence_whole(browser, warmed):
    """The label the plotly chart cut to "er; every letter carries it…" is there in full."""
    context = browser.new_context(viewport=VIEWPORTS[0])
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    figure = open_diagram(page, f"{warmed}/playground?scenario=lost-ack&idem=1")
    label = figure.get_by_text("every letter carries it with a sequence number", exact=False)
    expect(label).to_be_visible()
    assert "The producer gets its id" in label.inner_text()
    context.close()
