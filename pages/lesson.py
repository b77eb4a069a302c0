"""A lesson, chosen by the page's URL (lesson-<slug>) or by ?lesson=<slug>."""

import streamlit as st

from ui.widgets import backend_picker, lesson_view, nav, runs

lesson, notice = nav.chosen_lesson(runs.lessons_or_stop("Lessons"))
if notice:
    st.warning(notice)
lesson_view.show(lesson, backend_picker.current())
