"""Presenter view: a lesson in large type, one slide at a time, for a projector."""

import streamlit as st

from ui.widgets import engine, presenter_view

lessons = engine.lessons_or_stop("Presenter view")
titles = {f"{lesson.number}. {lesson.title}": lesson for lesson in lessons}
choice = st.sidebar.selectbox(
    "Lesson to present",
    list(titles),
    key="present.lesson",
    on_change=lambda: st.session_state.update({"present.slide": 0}),
)
lesson = titles[choice]
st.title(f"Lesson {lesson.number}: {lesson.title}")
try:
    from idemlab.lessons import scenario_for

    result = engine.run(scenario_for(lesson))
except Exception as exc:  # noqa: BLE001 - show the reason, not a traceback
    st.error(f"This lesson's scenario cannot be run: {exc}")
    st.stop()
if result.error:
    st.warning(result.error)
presenter_view.show(lesson, result.trace)
