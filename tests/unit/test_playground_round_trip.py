"""What a link opens in the playground runs exactly what it was made from: every shipped
scenario and every lesson's scenario, through the link the app makes, the link codec and
the playground's widgets (read back as the page reads them), gives the same stored log
and the same deliveries as the scenario file itself."""

from types import SimpleNamespace

import pytest

from idemlab import lessons, scenarios, sim
from idemlab.model import Trace
from ui.views import deeplink
from ui.views.playground_spec import build, normalise_producer, spec_for
from ui.widgets import lesson_view, playground_form

NAMES = scenarios.available()
LESSONS = lessons.load_all()


@pytest.fixture
def widgets(monkeypatch):
    """The playground form over a plain session state, as a page run would see it."""
    monkeypatch.setattr(playground_form, "st", SimpleNamespace(session_state={}))
    return playground_form


def opened(widgets, link: dict[str, str]):
    spec, notices = deeplink.decode(link, NAMES)
    assert notices == []
    widgets.write_widgets(spec)
    return build(widgets.read_widgets())


def outcome(trace: Trace):
    return trace.stored, trace.deliveries, trace.fatal_error, trace.run_error


@pytest.mark.parametrize("name", NAMES)
def test_a_shipped_scenarios_link_runs_the_scenario(widgets, name):
    scenario = opened(widgets, deeplink.encode(spec_for(name)))
    own = scenarios.load(name)
    assert normalise_producer(dict(scenario.producer), own.client) == normalise_producer(dict(own.producer), own.client)
    assert outcome(sim.run(scenario)) == outcome(sim.run(scenarios.load(name)))


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.slug for lesson in LESSONS])
def test_a_lessons_playground_link_runs_the_lessons_run(widgets, lesson):
    scenario = opened(widgets, lesson_view.playground_link(lesson))
    assert outcome(sim.run(scenario)) == outcome(sim.run(lessons.scenario_for(lesson)))
