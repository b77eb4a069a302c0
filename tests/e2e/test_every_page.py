"""Every page the navigation registers (hidden ones included), opened directly by its URL,
light and dark: it opens (no "Page not found", no exception, a heading, the navigation),
shows no markup as text, and has no serious accessibility violation beyond the ones
Streamlit itself causes (tests/e2e/test_accessibility.py): light at 1280x800 and 1920x1080,
dark at 1280x800 (the same layout as light's; only its colours differ).

Each page is loaded once per theme and every check reads that one visit: three separate
walks over the same pages took about a fifth of the browser suite.  The walk is one unit of
the suite's scheduler (tests/conftest.py), so both themes' walks happen on one worker.
Lesson pages are also read with their experiment run (the locked prediction in the URL),
which adds the run, "After the run" and the checks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from idemlab import lessons
from tests.e2e.conftest import COUNT_RUNS, wait_for_app_run
from tests.e2e.test_accessibility import (
    ALLOWED,
    FAILING_IMPACTS,
    REPORT,
    VIEWPORTS,
    failing,
    navigation_pages,
    run_axe,
)
from tests.e2e.test_visible_text import READ_TEXT, problems_in

pytestmark = pytest.mark.timeout(900)

THEMES = ("light", "dark")
# The same page in a second state worth an accessibility check: a lesson's link opens the
# playground with a run drawn (mail room, tables with tinted rows) and the set-up folded.
AXE_VARIANTS = {"playground": ["playground?scenario=lost-ack&idem=0"]}
# A picture drawn only when chosen: chosen on that page, then checked again.
CHOICES = {"playground?scenario=lost-ack&idem=0": "Sequence diagram"}


@dataclass
class Visit:
    path: str
    opening_problems: list[str] = field(default_factory=list)
    text_problems: list[str] = field(default_factory=list)
    axe: dict[str, list[dict]] = field(default_factory=dict)  # "<page> <size>" -> violations


@dataclass(frozen=True)
class Stop:
    path: str
    opens: bool  # a page of the navigation: it must open by its URL
    axe: bool


def stops(paths: list[str]) -> list[Stop]:
    numbers = {f"lesson-{lesson.slug}": lesson.number for lesson in lessons.load_all()}
    walk = []
    for path in paths:
        walk.append(Stop(path, opens=True, axe=True))
        walk += [Stop(variant, opens=False, axe=True) for variant in AXE_VARIANTS.get(path, [])]
        if path in numbers:
            walk.append(Stop(f"{path}?ans={numbers[path]}.p.0", opens=False, axe=False))
    return walk


def opening_problems(page) -> list[str]:
    problems = []
    if page.get_by_text("Page not found").count():
        problems.append("says Page not found")
    if page.get_by_test_id("stException").count():
        problems.append("shows an exception")
    if not page.locator("h1").first.is_visible():
        problems.append("has no visible heading")
    if not page.get_by_test_id("stSidebarNav").get_by_text("Playground").is_visible():
        problems.append("has no navigation to the playground")
    return problems


def axe_at_its_sizes(page, visit: Visit, name: str, theme: str) -> None:
    # Both sizes in light; in dark the layout is light's, only the colours change, so one size.
    for viewport in VIEWPORTS if theme == "light" else VIEWPORTS[:1]:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)  # a resize is not a script run: nothing to wait on but layout
        visit.axe[f"{name} {viewport['width']}x{viewport['height']}"] = run_axe(page)
    page.set_viewport_size(VIEWPORTS[0])


def walk(base_url: str, page, paths: list[str], theme: str, screenshots) -> list[Visit]:
    visits = []
    for stop in stops(paths):
        visit = Visit(stop.path)
        page.set_viewport_size(VIEWPORTS[0])
        sep = "&" if "?" in stop.path else "?"
        page.goto(f"{base_url}/{stop.path}{sep}embed_options={theme}_theme")
        page.wait_for_selector("[data-testid='stAppViewContainer']")
        wait_for_app_run(page)
        if stop.opens:
            visit.opening_problems = opening_problems(page)
            page.screenshot(path=str(screenshots / f"{stop.path or 'home'}-{theme}.png"))
        shown = page.evaluate(READ_TEXT)
        if not shown["all"].strip():
            visit.text_problems.append("no visible text")
        elif "This page failed" in shown["all"]:
            visit.text_problems.append("the page failed, so its text was not read")
        visit.text_problems += problems_in(shown)
        if stop.axe:
            axe_at_its_sizes(page, visit, f"{stop.path or 'home'} {theme}", theme)
            if stop.path in CHOICES:
                page.get_by_test_id("stButtonGroup").get_by_text(CHOICES[stop.path], exact=True).click()
                wait_for_app_run(page)
                axe_at_its_sizes(page, visit, f"{stop.path} ({CHOICES[stop.path]}) {theme}", theme)
        visits.append(visit)
    return visits


@pytest.fixture(scope="module")
def walked(browser, warmed, screenshots):
    """theme -> the visits of one walk over every page, walked on first use."""
    context = browser.new_context(viewport=VIEWPORTS[0])
    context.add_init_script(COUNT_RUNS)  # without it each wait gives a finished run 2 s to start
    page = context.new_page()
    page.set_default_timeout(60_000)
    paths = navigation_pages(page, warmed)
    assert "playground" in paths and any(p.startswith("lesson-") for p in paths), paths
    done: dict[str, list[Visit]] = {}

    def visits(theme: str) -> list[Visit]:
        if theme not in done:
            done[theme] = walk(warmed, page, paths, theme, screenshots)
        return done[theme]

    yield visits
    context.close()


@pytest.mark.parametrize("theme", THEMES)
def test_every_page_opens_directly_by_its_url(walked, theme):
    report = {v.path: v.opening_problems for v in walked(theme) if v.opening_problems}
    assert not report, "\n".join(f"{path or 'home'}: {', '.join(found)}" for path, found in report.items())


@pytest.mark.parametrize("theme", THEMES)
def test_no_page_shows_markup_as_text(walked, theme):
    report = {v.path: v.text_problems for v in walked(theme) if v.text_problems}
    assert not report, "\n".join(f"{path or 'home'}: {found}" for path, found in report.items())


def summarise(report: dict) -> str:
    lines = []
    for key, violations in report.items():
        counts = {
            v["id"]: f"{sum(not n['allowed'] for n in v['nodes'])}+{sum(bool(n['allowed']) for n in v['nodes'])}allowed"
            for v in violations
            if v["impact"] in FAILING_IMPACTS
        }
        lines.append(f"{key}: {counts or 'none'}")
    return "\n".join(lines)


@pytest.mark.parametrize("theme", THEMES)
def test_no_serious_violation_on_any_page(walked, theme):
    report = {key: violations for visit in walked(theme) for key, violations in visit.axe.items()}
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"axe-{theme}.json").write_text(json.dumps(report, indent=1))
    print(f"\nserious/critical violations by page ({theme}; not allowed + allowed):\n{summarise(report)}")
    problems = [{"page": key, **node} for key, violations in report.items() for node in failing(violations)]
    assert not problems, "violations not on the allow-list:\n" + "\n".join(
        f"{p['page']}: {p['rule']} ({p['impact']}) {p['html']}\n    {p['summary']}" for p in problems
    )
    used = {n_sel for violations in report.values() for v in violations for n in v["nodes"] for n_sel in n["allowed"]}
    unused = [a.rule for a in ALLOWED if a.selector not in used]
    if unused:
        print(f"allow-list entries that matched nothing in the app ({theme}): {unused}")
