"""The presenter without a class (AppTest): the reveal's button marks the answer among the
options and gives its reason, a moment slide counts the run in steps, as the lesson page's
stepper does, and lesson 9's after-the-run slide says which moment its log and its diagram show."""

from __future__ import annotations

from idemlab import backends
from idemlab.lessons import load_all, scenario_for
from ui.views import presenter_deck
from ui.widgets import presenter_view

LESSON = next(lesson for lesson in load_all() if lesson.number == 9)
DECK = presenter_deck.deck(LESSON, backends.run(scenario_for(LESSON), "sim"))
REVEAL = next(i for i, s in enumerate(DECK, 1) if s.kind == "reveal")
MOMENT = next(i for i, s in enumerate(DECK, 1) if s.kind == "moment")
AFTER = next(i for i, s in enumerate(DECK, 1) if s.kind == "after")


def _markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_showing_the_answer_marks_it_among_the_options_with_its_reason(open_page):
    slide = DECK[REVEAL - 1]
    at = open_page("pages/presenter.py", lesson=LESSON.slug, slide=str(REVEAL))
    options = presenter_deck.options_markdown(slide.choices)
    answered = presenter_deck.answer_markdown(slide.choices, slide.answer)
    assert options in _markdown(at) and slide.why not in _markdown(at) and answered not in _markdown(at)
    at.button(key="present.show_answer").click().run()
    assert answered in _markdown(at) and slide.why in _markdown(at)
    assert options not in _markdown(at)  # the unmarked list makes way for the marked one


def test_a_moment_slide_counts_the_run_in_steps(open_page):
    at = open_page("pages/presenter.py", lesson=LESSON.slug, slide=str(MOMENT))
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"Step {DECK[MOMENT - 1].position} of ") for c in captions), captions
    assert not any(c.startswith("Event ") for c in captions)


def test_after_the_run_says_its_log_is_the_runs_end_beside_a_diagram_of_the_requests_in_flight(open_page):
    at = open_page("pages/presenter.py", lesson=LESSON.slug, slide=str(AFTER))
    total = len(backends.run(scenario_for(LESSON), "sim").events)
    assert f"**At the end of the run** (step {total} of {total}):" in _markdown(at)
    assert any(m.startswith("**Sequence diagram**, up to the key moment") for m in _markdown(at))
    diagram = next(h.proto.body for h in at.get("html") if "idl-seq" in h.proto.body)
    assert all(f"#{n} Produce [" in diagram for n in (2, 3, 4)), diagram


def test_the_show_answer_key_is_no_options_letter_nor_a_streamlit_shortcut(open_page):
    letters = {chr(ord("A") + i) for i in range(max(len(s.choices) for s in DECK if s.kind == "reveal"))}
    assert presenter_view.SHOW_ANSWER_KEY.upper() not in letters | {"R", "C"}  # Streamlit: rerun, clear cache
    at = open_page("pages/presenter.py", lesson=LESSON.slug, slide=str(REVEAL))
    label = at.button(key="present.show_answer").label
    assert f"(press the {presenter_view.SHOW_ANSWER_KEY} key)" in label, label
