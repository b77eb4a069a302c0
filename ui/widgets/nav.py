"""The app's pages in one place, so app.py and in-page links agree on URLs."""

from __future__ import annotations

import streamlit as st


def lesson_page(lesson) -> st.Page:
    return st.Page(
        "pages/lesson.py",
        title=f"{lesson.number}. {lesson.title}",
        url_path=f"lesson-{lesson.slug}",
        icon=":material/school:",
    )


def sections(lessons: list) -> dict[str, list[st.Page]]:
    # /lesson?lesson=<slug> also works (hidden when the lessons have their own pages).
    any_lesson = st.Page(
        "pages/lesson.py",
        title="Lessons",
        url_path="lesson",
        icon=":material/school:",
        visibility="hidden" if lessons else "visible",
    )
    lesson_pages = [lesson_page(lesson) for lesson in lessons] + [any_lesson]
    return {
        "Start": [st.Page("pages/home.py", title="Home", url_path="home", icon=":material/home:", default=True)],
        "Lessons": lesson_pages,
        "Lab": [
            st.Page("pages/playground.py", title="Playground", url_path="playground", icon=":material/science:"),
            st.Page("pages/compare.py", title="Compare", url_path="compare", icon=":material/compare:"),
            st.Page("pages/wire.py", title="Wire inspector", url_path="wire", icon=":material/cable:"),
        ],
        "Reference": [
            st.Page("pages/reference.py", title="Reference", url_path="reference", icon=":material/menu_book:"),
            st.Page("pages/presenter.py", title="Presenter view", url_path="presenter", icon=":material/slideshow:"),
        ],
    }
