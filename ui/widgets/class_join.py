"""The learner's side of a live class: type or follow the code, join, leave.
Owns session keys `classjoin.*` (the membership itself is ui.widgets.class_member's)."""

from __future__ import annotations

from html import escape

import streamlit as st

from idemlab import classroom
from ui.views import plural
from ui.widgets import class_member, class_results, class_store


def _join(answers: dict[str, int], done: list[int]) -> None:
    problem = class_member.join(st.session_state.get("classjoin.code", ""), answers, done)
    st.session_state["classjoin.problem"] = problem


@class_results.one_sentence
def show(answers: dict[str, int], done: list[int]) -> None:
    store, problem = class_store.get()
    if store is None:
        st.error(f"Classes are not available on this server: {problem}")
        return
    member = class_member.current()
    if member is not None and store.get_class(member[0]) is None:
        st.info(f"Class {member[0]} has ended. Thank you for taking part.")
        class_member.leave()
        member = None
    if member is None:
        from_link = classroom.normal_code(st.query_params.get("code", ""))
        if from_link and "classjoin.code" not in st.session_state:
            st.session_state["classjoin.code"] = from_link
        st.markdown(
            "Your instructor shows a six-letter code. Join, then work through the lessons as usual: "
            "your predictions and answers also go to the class, **anonymously** (no name, no account; "
            "this browser gets a random token), so the instructor can show how the room answered."
        )
        with st.form("classjoin.form", border=False):
            st.text_input("Class code", key="classjoin.code", max_chars=12, placeholder="e.g. K7QM2X")
            st.form_submit_button("Join the class", type="primary", on_click=_join, args=(answers, done))
        if st.session_state.get("classjoin.problem"):
            st.error(st.session_state["classjoin.problem"])
        return
    code = member[0]
    st.success(
        f"You are in class **{escape(code)}**. Your answers go to the class anonymously.", icon=":material/groups:"
    )
    st.page_link("pages/home.py", label="Go to the lessons", icon=":material/school:")
    summary = store.summary(code)
    st.caption(
        f"{plural.count(summary.learners, 'learner')} {plural.word(summary.learners, 'has', 'have')} sent answers so far."
    )
    class_results.producers(store, code)
    st.button("Leave the class", key="classjoin.leave", on_click=class_member.leave, icon=":material/logout:")
