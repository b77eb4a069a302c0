"""Presenter view: a lesson in large type, one slide at a time, for a projector.
`/presenter?lesson=<slug>&slide=<n>[&class=<code>]` opens exactly there."""

import streamlit as st

from idemlab.lessons import scenario_for
from idemlab.scenarios import ScenarioError
from ui.widgets import presenter_view, runs

st.set_page_config(initial_sidebar_state="collapsed")  # the whole width for the slides
lessons = runs.lessons_or_stop("Presenter view")
lesson = presenter_view.chosen_lesson(lessons)
try:
    result = runs.run(scenario_for(lesson))
except ScenarioError as exc:
    st.error(f"This lesson's scenario cannot be run: {exc}")
    st.stop()
if result.error:
    st.warning(result.error)
presenter_view.show(lessons, lesson, result.trace)
