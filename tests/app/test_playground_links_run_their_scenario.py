"""The page itself: the playground opened by the link the app makes for a shipped scenario
or a lesson runs what that scenario (with the lesson's overrides) runs on the simulator —
the same stored log, the same deliveries, the same errors."""

import pytest

from idemlab import lessons, scenarios, sim
from ui.views import deeplink
from ui.views.playground_spec import spec_for
from ui.widgets import current_run, lesson_view

LESSONS = lessons.load_all()


def outcome(trace):
    return trace.stored, trace.deliveries, trace.fatal_error, trace.run_error


def page_run(open_page, link: dict[str, str]):
    at = open_page("pages/playground.py", **link)
    notices = [w.value for w in at.warning if w.icon == ":material/link_off:"]
    assert notices == []  # no link value was dropped
    return at.session_state[current_run.KEY]["result"].trace


@pytest.mark.parametrize("name", scenarios.available())
def test_the_link_to_a_shipped_scenario_runs_it(open_page, name):
    trace = page_run(open_page, deeplink.encode(spec_for(name)))
    assert outcome(trace) == outcome(sim.run(scenarios.load(name)))


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_a_lessons_try_it_link_runs_the_lessons_run(open_page, lesson):
    link = lesson_view.playground_link(lesson)
    scenario = lessons.scenario_for(lesson)
    if sim.run(scenario).run_error:  # the producer is refused: the page says so and runs nothing
        at = open_page("pages/playground.py", **link)
        assert any("could not be created" in e.value for e in at.error)
        return
    assert outcome(page_run(open_page, link)) == outcome(sim.run(scenario))
