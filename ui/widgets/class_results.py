"""What the instructor sees of a live class: the join code and link, the class's answers
to a question as a chart (refreshed every few seconds), how many finished each lesson,
and — on the Kafka store — the producer ids and sequence numbers of the class's answers."""

from __future__ import annotations

from html import escape

import streamlit as st

from idemlab import classroom
from ui.views import class_chart
from ui.widgets import class_store

REFRESH_S = 3


def normal_code(text: object) -> str:
    return classroom.normal_code(text)


def join_url(code: str) -> str:
    base = str(st.context.url or "").split("?")[0].rsplit("/", 1)[0]
    return f"{base}/class?code={code}"


def join_banner(code: str) -> None:
    st.markdown(f"### Join the class: code **{escape(code)}**")
    st.markdown(f"Open `{join_url(code)}`, or **Class** in the menu and type the code.")


def _store_or_note():
    store, problem = class_store.get()
    if store is None:
        st.warning(f"The class store cannot be used: {problem}", icon=":material/cloud_off:")
    return store


@st.fragment(run_every=REFRESH_S)
def reveal(code: str, lesson_number: int, qid: str, choices) -> None:
    """The class's answers to one question, before the right answer is shown."""
    store = _store_or_note()
    if store is None:
        return
    if store.get_class(code) is None:
        st.info(f"Class {code} has ended or does not exist; no class answers to show.")
        return
    answers = store.answers(code)
    counts = classroom.model.tally(answers, f"{lesson_number}.{qid}", len(choices))
    summary = classroom.model.summary(answers)
    caption = f"Class {code}: {sum(counts)} of {summary.learners} learners answered"
    st.markdown(f"**{escape(caption)}**")
    st.html(class_chart.answers_html(choices, counts, caption))
    st.caption("Finished so far: " + class_chart.finished_text(summary.finished, summary.learners))


@st.fragment(run_every=REFRESH_S)
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
        f"**{summary.learners} learners** have sent answers · the class ends in {minutes // 60} h {minutes % 60:02d} min"
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
