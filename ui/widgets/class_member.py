"""A learner's membership of a live class: joined by code, anonymous (a random token
this browser holds), kept in the URL (`?cls=<CODE>.<token>`) like the learner's
progress so a refresh stays in the class.  Every prediction and check answer, and every
finished lesson, is also sent to the class store.  In a class the verdict on an answer
waits until the instructor reveals that question (the room discusses first); the page
polls for the reveal and shows the verdict by itself.  Owns session keys `class.*`."""

from __future__ import annotations

import streamlit as st

from idemlab import classroom
from idemlab.classroom import ClassError
from ui.widgets import class_store

URL_KEY = "cls"
REVEAL_POLL_S = 3


def current() -> tuple[str, str] | None:
    """(class code, learner token) when this browser is in a class."""
    code, learner = st.session_state.get("class.code", ""), st.session_state.get("class.learner", "")
    return (code, learner) if code and learner else None


def sync_from_url() -> None:
    """Called by app.py on every run: the URL's membership on a new session, the
    session's membership back into the URL."""
    ss = st.session_state
    if "class.code" not in ss:
        code, _, learner = str(st.query_params.get(URL_KEY, "")).partition(".")
        code, learner = classroom.normal_code(code), classroom.valid_learner(learner)
        ss["class.code"], ss["class.learner"] = (code, learner) if code and learner else ("", "")
    member = current()
    wanted = f"{member[0]}.{member[1]}" if member else ""
    if wanted and st.query_params.get(URL_KEY) != wanted:
        st.query_params[URL_KEY] = wanted
    elif not wanted and URL_KEY in st.query_params:
        del st.query_params[URL_KEY]


def join(code: str, answers: dict[str, int], done: list[int]) -> str | None:
    """Join the class; the answers given so far go with the learner.  None, or why not."""
    store, problem = class_store.get()
    if store is None:
        return problem
    code = classroom.normal_code(code)
    try:
        if not code or store.get_class(code) is None:
            return "There is no open class with that code. Check it with your instructor."
    except ClassError as exc:
        return str(exc)
    learner = st.session_state.get("class.learner") or classroom.new_learner()
    st.session_state["class.code"], st.session_state["class.learner"] = code, learner
    sent = dict(answers) | {f"{number}.{classroom.model.DONE}": 1 for number in done} | {classroom.model.JOINED: 1}
    try:
        store.submit_many(code, learner, sent)  # one action, one write: all of it or nothing
    except ClassError as exc:
        return str(exc)
    sync_from_url()
    return None


def leave() -> None:
    st.session_state["class.code"] = ""
    sync_from_url()


def record(question: str, choice: int | None) -> None:
    """The hook ui.widgets.progress calls for every answer ("3.p", "3.c0") and every
    finished lesson ("3.done"): sent to the class when the learner is in one."""
    member = current()
    if member is None or choice is None:
        return
    store, problem = class_store.get()
    if store is None:
        st.toast(f"Your answer was not sent to the class: {problem}", icon=":material/cloud_off:")
        return
    try:
        store.submit(member[0], member[1], question, int(choice))
    except ClassError as exc:
        st.toast(f"Your answer was not sent to the class: {exc}", icon=":material/cloud_off:")


def question_id(question) -> str:
    """The class's name of a lesson question ("3.p", "3.c1"), or '' when it is none of them."""
    from ui.widgets import runs

    lessons, _problem = runs.lessons()
    for lesson in lessons:
        if question is lesson.prediction or question == lesson.prediction:
            return f"{lesson.number}.p"
        for i, check in enumerate(lesson.checks):
            if question is check or question == check:
                return f"{lesson.number}.c{i}"
    return ""


def withheld(question) -> bool:
    """True, with a note that waits for the reveal, when this learner is in a live class
    and the instructor has not revealed `question` yet: the verdict is kept back.  False
    for a self-paced learner, an ended class or a store that cannot be read (then the
    verdict shows at once rather than never)."""
    member = current()
    qid = question_id(question) if member else ""
    if not qid:
        return False
    store, _problem = class_store.get()
    try:
        if store is None or store.get_class(member[0]) is None or qid in store.revealed(member[0]):
            return False
    except ClassError:
        return False
    _waiting_for_reveal(member[0], qid)
    return True


@st.fragment(run_every=REVEAL_POLL_S)
def _waiting_for_reveal(code: str, qid: str) -> None:
    store, _problem = class_store.get()
    try:
        if store is not None and (store.get_class(code) is None or qid in store.revealed(code)):
            st.rerun(scope="app")  # the verdict is out: draw the page with it
    except ClassError:
        pass
    st.info(
        "Your answer is in. The verdict comes when your instructor reveals this question to the class: "
        "talk it over with your neighbours until then. This page updates by itself.",
        icon=":material/hourglass_top:",
    )
