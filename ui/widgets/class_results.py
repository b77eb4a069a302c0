"""What the instructor sees of a live class: the join code, link and QR code, how many
answered a question ("n of m answered"), the class's answers as a chart (both refreshed
every few seconds without a reload), how many finished each lesson, and — on the Kafka
store — the producer ids and sequence numbers of the class's answers.  Everything but
the join card needs the instructor's key (the control link); callers check it."""

from __future__ import annotations

import functools
from html import escape

import streamlit as st

from idemlab import classroom
from idemlab.classroom import ClassError
from ui.views import class_chart, join_card, plural
from ui.widgets import class_store

REFRESH_S = 3


def one_sentence(show):
    """A class view whose store refuses (busy past its deadline, unreadable) says so in
    one sentence instead of failing the page."""

    @functools.wraps(show)
    def guarded(*args, **kwargs):
        try:
            return show(*args, **kwargs)
        except ClassError as exc:
            st.warning(str(exc), icon=":material/cloud_off:")
            return None

    return guarded


def normal_code(text: object) -> str:
    return classroom.normal_code(text)


def base_url() -> str:
    return str(st.context.url or "").split("?")[0].rsplit("/", 1)[0]


def join_url(code: str) -> str:
    return f"{base_url()}/class?code={code}"


def control_url(code: str, key: str) -> str:
    return f"{base_url()}/instructor?class={code}&key={key}"


def join_banner(code: str) -> None:
    st.html(join_card.html(code, join_url(code)))


@st.fragment(run_every=REFRESH_S)
@one_sentence
def counter(code: str, question: str) -> None:
    """ "n of m answered" for one question ("4.p"), live."""
    store = _store_or_note()
    if store is None or store.get_class(code) is None:
        return
    answers = store.answers(code)
    answered = sum(1 for a in answers if a.question == question)
    learners = classroom.model.summary(answers).learners
    st.markdown(f"**{answered} of {learners} answered** (class {escape(code)})")


def _store_or_note():
    store, problem = class_store.get()
    if store is None:
        st.warning(f"The class store cannot be used: {problem}", icon=":material/cloud_off:")
    return store


@st.fragment(run_every=REFRESH_S)
@one_sentence
def reveal(code: str, lesson_number: int, qid: str, choices) -> None:
    """The class's answers to one question, live; the right answer is shown apart."""
    store = _store_or_note()
    if store is None:
        return
    if store.get_class(code) is None:
        st.info(f"Class {code} has ended or does not exist; no class answers to show.")
        return
    answers = store.answers(code)
    counts = classroom.model.tally(answers, f"{lesson_number}.{qid}", len(choices))
    summary = classroom.model.summary(answers)
    caption = f"Class {code}: {sum(counts)} of {summary.learners} answered"
    st.markdown(f"**{escape(caption)}**")
    st.html(class_chart.answers_html(choices, counts, caption))
    st.caption("Finished so far: " + class_chart.finished_text(summary.finished, summary.learners))


@st.fragment(run_every=REFRESH_S)
@one_sentence
def overview(code: str, lessons: list) -> None:
    """Learners, answers and finished lessons of a class, for the instructor page."""
    store = _store_or_note()
    if store is None:
        return
    info = store.get_class(code)
    if info is None:
        st.info(f"Class {code} has ended.")
        return
    answers = store.answers(code)
    summary = classroom.model.summary(answers)
    minutes = max(0, int((info.expires - store.clock()) // 60))
    st.markdown(
        f"**{plural.count(summary.learners, 'learner')}** {plural.word(summary.learners, 'has', 'have')} sent answers"
        f" · the class ends in {minutes // 60} h {minutes % 60:02d} min"
    )
    rows = []
    for lesson in lessons:
        predicted = sum(1 for a in answers if a.question == f"{lesson.number}.p")
        right = sum(1 for a in answers if a.question == f"{lesson.number}.p" and a.choice == lesson.prediction.answer)
        rows.append(
            {
                "lesson": f"{lesson.number}. {lesson.title}",
                "predictions": predicted,
                "right predictions": right,
                "finished": summary.finished.get(lesson.number, 0),
            }
        )
    st.dataframe(rows, hide_index=True)
    producers(store, code)


def producers(store, code: str) -> None:
    """On the Kafka store: what the broker remembers of the producers that wrote the
    class's partition (DescribeProducers)."""
    if getattr(store, "kind", "") != "kafka":
        return
    try:
        found = store.producers(code)
    except Exception as exc:  # noqa: BLE001 - the broker's answer is a bonus, never a failure
        st.caption(f"The broker did not say which producers wrote the class ({type(exc).__name__}).")
        return
    st.markdown(
        "**The class's answers on Kafka**: each app process writes them with one idempotent producer; "
        "the broker remembers its producer id, epoch and the last sequence number on the class's partition "
        "(DescribeProducers). A retried answer carries the same sequence number and is not stored twice."
    )
    st.dataframe(found, hide_index=True)
