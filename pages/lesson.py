"""A lesson, chosen by the page's URL (lesson-<slug>) or by ?lesson=<slug>."""

import streamlit as st

from ui.widgets import backend_picker, engine, lesson_view

lessons = engine.lessons_or_stop("Lessons")
by_slug = {lesson.slug: lesson for lesson in lessons}
url_path = st.session_state.get("nav.url_path", "")
slug = url_path.removeprefix("lesson-") if url_path.startswith("lesson-") else st.query_params.get("lesson", "")
if slug not in by_slug:
    if slug:
        st.warning(f"There is no lesson `{slug[:60]}`; showing the first one.")
    slug = lessons[0].slug
lesson_view.show(by_slug[slug], backend_picker.current())
