"""The app's pages in one place, so app.py and in-page links agree on URLs.
Owns session key `nav.url_path` (the page the entry point is running)."""

from __future__ import annotations

import re

import streamlit as st

from ui.views.query_values import whole_or_none

_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


def remember(page: st.Page) -> None:
    """Called by app.py with the page it is about to run."""
    st.session_state["nav.url_path"] = page.url_path


def chosen_lesson(lessons: list):
    """The lesson the URL names (/lesson-<slug> or /lesson?lesson=<slug>), else the first,
    with a notice when the URL named one that does not exist."""
    url_path = st.session_state.get("nav.url_path", "")
    slug = url_path.removeprefix("lesson-") if url_path.startswith("lesson-") else st.query_params.get("lesson", "")
    by_slug = {lesson.slug: lesson for lesson in lessons}
    if slug in by_slug:
        return by_slug[slug], None
    by_number = {lesson.number: lesson for lesson in lessons}
    number = whole_or_none(slug, 1, 99)  # /lesson?lesson=2, as a person would type it
    if number in by_number:
        return by_number[number], None
    if not slug:
        return lessons[0], None
    named = f"`{slug}`" if _SLUG_RE.fullmatch(slug) else "that link names"
    return lessons[0], f"There is no lesson {named}; showing the first one."


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
        ],
        "Workshop": [
            st.Page("pages/classroom.py", title="Join a class", url_path="class", icon=":material/groups:"),
            st.Page("pages/presenter.py", title="Presenter view", url_path="presenter", icon=":material/slideshow:"),
            st.Page("pages/instructor.py", title="Instructor kit", url_path="instructor", icon=":material/co_present:"),
        ],
    }
