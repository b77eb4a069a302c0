"""axe-core in Chromium with every one of its rules enabled (WCAG A to AAA, best practice,
experimental): how it is run, and the few serious violations Streamlit itself causes,
listed in ALLOWED below, each proven on a bare Streamlit app in this module.  Every page
of the navigation is checked with it, light and dark, 1280x800 and 1920x1080, in
tests/e2e/test_every_page.py.  axe-core comes from the pinned `axe-playwright-python`
package (requirements-dev.txt), which bundles axe.min.js: nothing is downloaded at test
time."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import COUNT_RUNS, ROOT, streamlit_server, wait_for_app_run
from tests.needs import skip_or_fail

pytestmark = pytest.mark.timeout(480)

THEMES = ("light", "dark")
VIEWPORTS = ({"width": 1280, "height": 800}, {"width": 1920, "height": 1080})
FAILING_IMPACTS = ("serious", "critical")
REPORT = ROOT / "artifacts" / "accessibility"


@dataclass(frozen=True)
class Allowed:
    """A violation that Streamlit's own markup causes: axe rule, a CSS selector the
    offending element matches, and why the app cannot fix it."""

    rule: str
    selector: str
    reason: str


# The one place for violations that are not the app's.  Each entry must show up on the
# bare Streamlit app below (test_every_allowed_violation_happens_on_a_bare_streamlit_app),
# and an entry that no longer matches anything in the app is reported (so it can go).
ALLOWED = (
    Allowed(
        "list",
        '[data-testid="stSidebarNavItems"]',
        "Streamlit's sidebar navigation puts each section's pages in a <div> inside the "
        "<ul>, so the list holds non-<li> children; the app only passes sections to "
        "st.navigation and has no say in the markup.",
    ),
    Allowed(
        "listitem",
        '[data-testid="stSidebarNavItems"] li',
        "The same sidebar navigation: the <li> of each page sits in a section <div>, not directly in the <ul>.",
    ),
    Allowed(
        "aria-dialog-name",
        '[data-testid="stToast"]',
        "st.toast renders role=alertdialog with aria-labelledby pointing at an id that is "
        "not in the page, so the dialog has no name; the text is the app's, the markup "
        "Streamlit's (ui/widgets/class_member.py toasts a class answer that could not be sent).",
    ),
    Allowed(
        "color-contrast-enhanced",
        '[data-testid="stCaptionContainer"] *',
        "WCAG AAA (7:1): Streamlit draws a caption in the text colour at 60 % opacity, so "
        "even black text on white reaches only 5.7:1; the theme cannot change the opacity "
        "(AA's 4.5:1 holds: tests/unit/test_contrast.py).",
    ),
    Allowed(
        "color-contrast-enhanced",
        '[data-testid^="stBaseButton-primary"] *',
        "WCAG AAA (7:1): Streamlit writes a primary button's label in white on primaryColor; "
        "in the dark theme no primaryColor gives 7:1 under white and still keeps 3:1 against "
        "the background for focus rings and sliders (WCAG 1.4.11), and the label colour is "
        "not a theme option.",
    ),
    Allowed(
        "color-contrast",
        '[data-testid="stButtonGroup"] [data-selected="true"] *',
        "Streamlit writes the chosen option of a segmented control in primaryColor on a tint "
        "of it.  In the dark theme no primaryColor reads 4.5:1 there and also carries a "
        "primary button's white label at 4.5:1 (the chosen option is also marked by its "
        "filled background and aria-checked).",
    ),
    Allowed(
        "color-contrast-enhanced",
        '[data-testid="stButtonGroup"] [data-selected="true"] *',
        "The same chosen option in the light theme, against AAA's 7:1.",
    ),
    Allowed(
        "color-contrast",
        "code .token",
        "Streamlit highlights code in Markdown with a fixed palette (keywords and class names "
        "in its blue70, #1C83E1: 3.8:1 on the code background), not a theme option in 1.67.",
    ),
)

BARE_APP = """
import streamlit as st


def first():
    st.title("First")
    st.toast("A toast, as a class answer that could not be sent shows one.")
    st.caption("A caption, as every page has.")
    st.button("A primary button", type="primary")
    st.segmented_control("Broker", ["Simulated", "Real"], default="Simulated")
    st.markdown('''```java
Properties props = new Properties();
```''')


def second():
    st.title("Second")


def third():
    st.title("Third")


page = st.navigation(
    {"One": [st.Page(first, title="First"), st.Page(second, title="Second")], "Two": [st.Page(third, title="Third")]},
    expanded=True,
)
page.run()
"""

# axe with element references, each node checked against ALLOWED in the page, then the
# references dropped (they cannot cross into Python).
RUN_AXE = """
async (allowed) => {
  const every = axe.getRules().map(rule => rule.ruleId);  // all rules, experimental ones included
  const results = await axe.run(document, {runOnly: {type: "rule", values: every}, resultTypes: ["violations"], elementRef: true});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: JSON.stringify(n.target), html: n.html.slice(0, 200),
      summary: (n.failureSummary || "").slice(0, 300),
      allowed: allowed.filter(a => a.rule === v.id && n.element && n.element.matches(a.selector)).map(a => a.selector),
    })),
  }));
}
"""


def axe_script() -> str:
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        skip_or_fail("axe-playwright-python is not installed (requirements-dev.txt)")
    return AXE_SCRIPT


def run_axe(page) -> list[dict]:
    page.mouse.move(0, 0)  # no hover colours
    page.evaluate("document.fonts.ready.then(() => true)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    allowed = [{"rule": a.rule, "selector": a.selector} for a in ALLOWED]
    return page.evaluate(RUN_AXE, allowed)


def failing(violations: list[dict]) -> list[dict]:
    """Serious and critical nodes not on the allow-list, one dict per node."""
    return [
        {"rule": v["id"], "impact": v["impact"], **n}
        for v in violations
        if v["impact"] in FAILING_IMPACTS
        for n in v["nodes"]
        if not n["allowed"]
    ]


def navigation_pages(page, url: str) -> list[str]:
    """Every page the app hands to st.navigation, hidden ones included, as URL paths:
    read from the Navigation message Streamlit sends over its websocket."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
    page.goto(url)
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_for_app_run(page)
    paths: list[str] = []
    for frame in frames:
        if isinstance(frame, (bytes, bytearray)):
            msg = ForwardMsg()
            msg.ParseFromString(bytes(frame))
            if msg.WhichOneof("type") == "navigation":
                paths = [p.url_pathname for p in msg.navigation.app_pages if not p.external_url]
    return paths


def test_every_allowed_violation_happens_on_a_bare_streamlit_app(browser, tmp_path):
    """Each allow-list entry, reproduced by an app that is nothing but Streamlit (with this
    app's theme): proof that the violation is Streamlit's, not this app's."""
    (tmp_path / "bare.py").write_text(textwrap.dedent(BARE_APP))
    (tmp_path / ".streamlit").mkdir()  # this app's theme, nothing else: the colours are the app's choice
    theme = (ROOT / ".streamlit" / "config.toml").read_text().split("[theme]", 1)[1]
    (tmp_path / ".streamlit" / "config.toml").write_text("[theme]" + theme)
    violations = []
    with streamlit_server("bare.py", cwd=Path(tmp_path)) as url:
        context = browser.new_context(viewport=VIEWPORTS[0])
        context.add_init_script(COUNT_RUNS)
        page = context.new_page()
        for theme in THEMES:
            page.goto(f"{url}/?embed_options={theme}_theme")
            page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=60_000)
            wait_for_app_run(page, settle_ms=400)
            found = run_axe(page)
            print(f"\nbare Streamlit app ({theme}):", {v["id"]: len(v["nodes"]) for v in found})
            violations += found
        context.close()
    seen = {(v["id"], sel) for v in violations for n in v["nodes"] for sel in n["allowed"]}
    missing = [a for a in ALLOWED if (a.rule, a.selector) not in seen]
    assert not missing, f"not reproduced on a bare Streamlit app, so not Streamlit's: {missing}"
