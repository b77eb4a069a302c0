"""The instructor's side of a live class: open one (a short code, a join link, the
presenter link that shows the class's answers), watch it, end it.  The open class is
kept in the URL (`?class=<code>`) so a refresh keeps it.  Owns session keys `host.*`."""

from __future__ import annotations

import contextlib
from html import escape

import streamlit as st

from idemlab import classroom
from idemlab.classroom import ClassError
from ui.views import instructor_kit
from ui.widgets import class_results, class_store

TTL_CHOICES = {"2 hours": 2 * 3600, "4 hours": 4 * 3600, "8 hours": 8 * 3600, "1 day": 24 * 3600}


def _hosted() -> str:
    code = classroom.normal_code(st.query_params.get("class", "") or st.session_state.get("host.code", ""))
    st.session_state["host.code"] = code
    if code and st.query_params.get("class") != code:
        st.query_params["class"] = code
    return code


def _open(store) -> None:
    try:
        info = store.open_class(TTL_CHOICES[st.session_state["host.ttl"]])
    except ClassError as exc:
        st.session_state["host.problem"] = str(exc)
        return
    st.session_state["host.code"] = info.code
    st.query_params["class"] = info.code


def _end(store, code: str) -> None:
    with contextlib.suppress(ClassError):  # already ended
        store.end_class(code)
    st.session_state["host.code"] = ""
    if "class" in st.query_params:
        del st.query_params["class"]


def show(lessons: list) -> None:
    st.title("Instructor kit")
    st.header("Run a class")
    store, problem = class_store.get()
    if store is None:
        st.error(f"Live classes are not available on this server: {problem}")
        return
    code = _hosted()
    if code and store.get_class(code) is None:
        st.info(f"Class {code} has ended.")
        code = ""
        st.session_state["host.code"] = ""
    if not code:
        st.markdown(
            "Open a class to get a short code and a join link for the room. Learners who join answer the "
            "lessons' predictions as usual; the presenter's reveal slides then show the class's answers. "
            f"Anonymous, no accounts; at most {classroom.MAX_ANSWERS_PER_LEARNER} answers per learner; "
            f"the class ends by itself. Stored in: {store.describe()}."
        )
        cols = st.columns([1, 2], vertical_alignment="bottom")
        cols[0].selectbox("The class lasts", list(TTL_CHOICES), index=1, key="host.ttl")
        cols[1].button("Open a class", type="primary", key="host.open", on_click=_open, args=(store,))
        if st.session_state.get("host.problem"):
            st.error(st.session_state.pop("host.problem"))
        return
    st.markdown(f"## Class code: **{escape(code)}**")
    join = class_results.join_url(code)
    st.markdown(f"Learners join at `{join}` (or **Join a class** in the menu, then the code).")
    first = lessons[0].slug
    st.page_link(
        "pages/presenter.py",
        label=f"Open the presenter for this class (lesson 1, {lessons[0].title})",
        icon=":material/slideshow:",
        query_params={"lesson": first, "slide": "1", "class": code},
    )
    class_results.overview(code, lessons)
    st.button("End the class now", key="host.end", on_click=_end, args=(store, code), icon=":material/stop_circle:")


def kit(lessons: list) -> None:
    st.divider()
    text = instructor_kit.markdown(lessons)
    body = [line for line in text.splitlines()[1:] if not line.startswith("<!--")]  # the page has its own title
    st.markdown("\n".join(body))
    st.download_button("Download the kit (Markdown)", text, "instructor-kit.md", on_click="ignore", key="host.kit")
