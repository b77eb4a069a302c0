"""Whole learner journeys in Chromium: a lesson from its URL to "done" on the home page
(lessons 1 and 5), and the lost-acknowledgement scenario on a real local Kafka broker
chosen in the sidebar.  Screenshots of every stage go to artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from idemlab import backends
from idemlab.explain import explain
from idemlab.lessons import load_all, scenario_for
from tests.needs import require_kafka

pytestmark = pytest.mark.timeout(300)

LESSONS = {lesson.number: lesson for lesson in load_all()}


def radio_group(page, label_start: str):
    return page.get_by_test_id("stRadio").filter(has=page.get_by_test_id("stWidgetLabel").filter(has_text=label_start))


def choose(page, wait_run, label_start: str, index: int) -> None:
    radio_group(page, label_start).get_by_role("radiogroup").locator("label").nth(index).click()
    wait_run(page)


def plain(sentence: str) -> re.Pattern:
    """The start of a sentence as the page shows it: escaped (ui/views/client_message), so
    an invisible word joiner may stand on either side of each `.`, `:` and `@`."""
    joiner = "\u2060?"
    shown = sentence.replace("`", "")[:60]  # a client's `name` quotes are code spans
    return re.compile("".join(joiner + re.escape(c) + joiner if c in ".:@" else re.escape(c) for c in shown))


def successes(page, text: str):
    return page.get_by_test_id("stAlertContentSuccess").filter(has_text=text)


# A verdict, not "Lesson N done. All 3 checks right." (a string has_text ignores case; a pattern does not).
RIGHT = re.compile(r"Right\.")


def lesson_journey(number: int, open_url, wait_run, screenshots) -> None:
    lesson = LESSONS[number]
    name = f"journey-lesson-{number}"
    page = open_url(f"lesson-{lesson.slug}")
    expect(page.locator("h1").first).to_have_text(re.compile(f"Lesson {number}"))
    run = page.get_by_role("button", name="Run the experiment")
    expect(run).to_be_disabled()

    choose(page, wait_run, "Your prediction", lesson.prediction.answer)
    expect(run).to_be_enabled()
    run.click()
    wait_run(page)
    expect(successes(page, "Right.").first).to_be_visible()
    for sentence in explain(backends.run(scenario_for(lesson), "sim")):
        expect(page.locator("li").filter(has_text=plain(sentence)).first).to_be_visible()
    if number == 1:
        expect(page.locator("li", has_text="DUPLICATE of offset 1 (m2 stored twice)")).to_be_visible()
    page.get_by_role("heading", name="After the run").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"{name}-1-ran.png"))

    for i, check in enumerate(lesson.checks):
        choose(page, wait_run, f"Question {i + 1}", check.answer)
        expect(successes(page, RIGHT)).to_have_count(i + 2)  # the prediction's, then one per question
    expect(successes(page, f"Lesson {number} done.")).to_be_visible()  # in the page, not a toast over it
    expect(page.get_by_test_id("stToast")).to_have_count(0)
    assert re.search(rf"done=([\d,]*\b{number}\b)", page.url), page.url
    page.screenshot(path=str(screenshots / f"{name}-2-answered.png"), full_page=True)

    page.reload()  # a refresh keeps the run, the answers and the verdicts: the URL holds them
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_run(page)
    expect(successes(page, RIGHT)).to_have_count(len(lesson.checks) + 1)
    expect(page.get_by_role("heading", name="After the run")).to_be_visible()
    expect(successes(page, f"Lesson {number} done.")).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Home").click()
    wait_run(page)
    page.reload()
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_run(page)
    expect(page.locator("h1").first).to_have_text("Kafka Idempotence Lab")
    link = page.get_by_test_id("stPageLink").filter(has_text=f"{number}. {lesson.title}")
    expect(link.first).to_contain_text("✓ done")
    expect(page.get_by_text("1 of 10 lessons done")).to_be_visible()
    page.screenshot(path=str(screenshots / f"{name}-3-home.png"))


def test_lesson_1_from_its_url_to_done(open_url, wait_run, screenshots):
    lesson_journey(1, open_url, wait_run, screenshots)


def test_lesson_5_from_its_url_to_done(open_url, wait_run, screenshots):
    lesson_journey(5, open_url, wait_run, screenshots)


@pytest.mark.kafka
@pytest.mark.timeout(420)
def test_lost_ack_on_local_kafka_in_the_browser(open_url, wait_run, screenshots):
    require_kafka()
    page = open_url("playground?scenario=lost-ack&idem=0")
    page.get_by_test_id("stSidebar").get_by_text("Local Kafka", exact=True).click()
    wait_run(page)
    page.get_by_role("button", name="Run on Local Kafka").click()
    status = page.get_by_test_id("stExpander").filter(has_text="events seen")  # st.status: the progress line
    expect(status.first).to_be_visible(timeout=15_000)
    page.screenshot(path=str(screenshots / "journey-local-kafka-1-running.png"))
    stored = page.get_by_text("Stored log", exact=False).first
    expect(stored).to_be_visible(timeout=120_000)
    wait_run(page)
    expect(page.get_by_text(re.compile("made by .*Local Kafka"))).to_be_visible()
    expect(page.locator("li", has_text="DUPLICATE of offset 1 (m2 stored twice)")).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="Unavailable")).to_have_count(0)
    page.screenshot(path=str(screenshots / "journey-local-kafka-2-stored.png"), full_page=True)

    # The wire table is a grid drawn on a canvas: its accessible twin (a hidden <table>) has
    # the text.  The short stored log is a plain HTML table.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Wire inspector").click()
    wait_run(page)
    expect(page.get_by_text(re.compile("made by .*Local Kafka"))).to_be_visible()
    wire, stored = page.get_by_test_id("stDataFrame").nth(0), page.locator("div.idl-table-box").last
    # a produce request on the wire with PID -1, epoch -1, base sequence -1
    expect(wire.locator("table")).to_contain_text(re.compile(r"Produce#\d+-1-1-1"))
    expect(stored.locator("table")).to_contain_text(re.compile(r"m2-1 \(none\)-1-1 \(none\)DUPLICATE of offset 1"))
    page.screenshot(path=str(screenshots / "journey-local-kafka-3-wire.png"), full_page=True)


def test_an_unreachable_cluster_says_why_and_offers_the_simulator(open_url, wait_run, screenshots):
    page = open_url("playground?scenario=lost-ack&idem=0")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Existing cluster", exact=True).click()
    wait_run(page)
    # The operator listed 127.0.0.1:1 (tests/e2e/conftest.py); nothing connects before Run.
    expect(sidebar.get_by_text("reached when you run", exact=False)).to_be_visible()
    page.get_by_role("button", name="Run on the cluster at 127.0.0.1:1").click()
    expect(page.get_by_text("Cannot reach the Kafka cluster at 127.0.0.1:1").first).to_be_visible(timeout=60_000)
    wait_run(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.screenshot(path=str(screenshots / "journey-cluster-unreachable.png"))
    page.get_by_role("button", name="Use the simulated broker instead").click()
    wait_run(page)
    expect(page.locator("li", has_text="DUPLICATE of offset 1 (m2 stored twice)")).to_be_visible()


def test_lesson_7_shows_the_cost_figure_or_says_it_is_not_measured(open_url, screenshots):
    page = open_url(f"lesson-{LESSONS[7].slug}")
    figure = page.locator("p", has_text="Measured on a real broker in this lab:")
    expect(figure).to_be_visible()
    expect(figure).not_to_contain_text("{{")
    figure.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "journey-lesson-7-cost.png"))


def test_the_chosen_broker_survives_a_refresh(open_url, wait_run, screenshots):
    """Chosen next to the Run button, the back end goes into the URL and a reload keeps it;
    no real run starts by itself."""
    page = open_url(f"lesson-{LESSONS[2].slug}")
    page.get_by_test_id("stButtonGroup").get_by_text("Local Kafka", exact=True).click()
    wait_run(page)
    assert "backend=local" in page.url, page.url
    page.reload()
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    wait_run(page)
    assert "backend=local" in page.url, page.url
    sidebar_choice = page.get_by_test_id("stSidebar").get_by_role("radio", name="Local Kafka")
    expect(sidebar_choice).to_be_checked()
    expect(page.get_by_test_id("stExpander").filter(has_text="events seen")).to_have_count(0)
    page.screenshot(path=str(screenshots / "journey-broker-after-refresh.png"))
