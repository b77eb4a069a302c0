"""The instructor's side of a live class: open one, watch it, end it.

Opening a class gives two things: the join code (public: projected, read aloud) and a
secret control link (`/instructor?class=<code>&key=<key>`).  Only the control link shows
the overview, opens the presenter with the class's answers and reveals, and ends the
class; the join code alone opens nothing here.  The link is kept in the URL so a refresh
keeps it.  Owns session keys `host.*`."""

from __future__ import annotations

import contextlib

import streamlit as st

from idemlab import classroom
from idemlab.classroom import ClassError
from ui.views import instructor_kit
from ui.widgets import class_results, class_store

TTL_CHOICES = {"2 hours": 2 * 3600, "4 hours": 4 * 3600, "8 hours": 8 * 3600, "1 day": 24 * 3600}


def control() -> tuple[str, str]:
    """(code, key) from the URL or this session; ('', '') when there is none."""
    code = classroom.normal_code(st.query_params.get("class", "") or st.session_state.get("host.code", ""))
    key = classroom.model.valid_key(st.query_params.get("key", "") or st.session_state.get("host.key", ""))
    st.session_state["host.code"], st.session_state["host.key"] = code, key
    for name, value in (("class", code), ("key", key)):
        if value and st.query_params.get(name) != value:
            st.query_params[name] = value
    return code, key


def _open(store) -> None:
    try:
        hosting = store.open_class(TTL_CHOICES[st.session_state["host.ttl"]])
    except ClassError as exc:
        st.session_state["host.problem"] = str(exc)
        return
    st.session_state["host.code"], st.session_state["host.key"] = hosting.code, hosting.key
    st.query_params["class"], st.query_params["key"] = hosting.code, hosting.key


def _forget() -> None:
    st.session_state["host.code"], st.session_state["host.key"] = "", ""
    for name in ("class", "key"):
        if name in st.query_params:
            del st.query_params[name]


def _end(store, code: str, key: str) -> None:
    with contextlib.suppress(ClassError):  # already ended
        store.end_class(code, key)
    _forget()


def _open_form(store) -> None:
    st.markdown(
        "Open a class to get a short code and a join link for the room, and a private control link for you. "
        "Learners who join answer the lessons' predictions as usual; they see whether they were right only when "
        "you reveal the question on the presenter. Anonymous, no accounts; at most "
        f"{classroom.MAX_ANSWERS_PER_LEARNER} answers per learner; the class ends by itself. "
        f"Stored in: {store.describe()}."
    )
    cols = st.columns([1, 2], vertical_alignment="bottom")
    cols[0].selectbox("The class lasts", list(TTL_CHOICES), index=1, key="host.ttl")
    cols[1].button("Open a class", type="primary", key="host.open", on_click=_open, args=(store,))
    if st.session_state.get("host.problem"):
        st.error(st.session_state.pop("host.problem"))


@class_results.one_sentence
def show(lessons: list) -> None:
    st.title("Instructor kit")
    st.header("Run a class")
    store, problem = class_store.get()
    if store is None:
        st.error(f"Live classes are not available on this server: {problem}")
        return
    code, key = control()
    if code and store.get_class(code) is None:
        st.info(f"Class {code} has ended.")
        _forget()
        code = ""
    if code:
        try:
            store.hosted(code, key)
        except ClassError:
            st.warning(
                f"Class {code} is controlled only from its instructor's link (the one shown when the class was "
                f"opened). To join it as a learner, open **Join a class** in the menu.",
                icon=":material/lock:",
            )
            st.page_link("pages/classroom.py", label=f"Join class {code}", query_params={"code": code})
            code = ""
    if not code:
        _open_form(store)
        return
    _hosting(store, lessons, code, key)


def _hosting(store, lessons: list, code: str, key: str) -> None:
    st.markdown(f"## Class code: **{code}**")
    st.markdown(f"Learners join at `{class_results.join_url(code)}` (or **Join a class** in the menu, then the code).")
    st.markdown(
        "**Your control link** (private: it reveals answers and ends the class; bookmark it, do not project it):"
    )
    st.code(class_results.control_url(code, key), language=None)
    first = lessons[0]
    st.page_link(
        "pages/presenter.py",
        label=f"Open the presenter for this class (lesson 1, {first.title})",
        icon=":material/slideshow:",
        query_params={"lesson": first.slug, "slide": "1", "class": code, "key": key},
    )
    st.caption("On the projector, press F11 for full screen: the address bar, and the key in it, disappear.")
    class_results.overview(code, lessons)
    st.button(
        "End the class now", key="host.end", on_click=_end, args=(store, code, key), icon=":material/stop_circle:"
    )


def kit(lessons: list) -> None:
    st.divider()
    text = instructor_kit.markdown(lessons)
    body = [line for line in text.splitlines()[1:] if not line.startswith("<!--")]  # the page has its own title
    st.markdown("\n".join(body))
    st.download_button("Download the kit (Markdown)", text, "instructor-kit.md", on_click="ignore", key="host.kit")
