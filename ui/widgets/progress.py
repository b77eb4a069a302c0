"""Lesson progress (lessons done, answers given), kept in session state and mirrored in
the URL (`?done=1,2&ans=1.p.2,1.c0.1`) so it survives a refresh.
Owns session keys `progress.*`."""

from __future__ import annotations

import re

import streamlit as st

from ui.views import query_values
from ui.widgets import class_member

# p = the prediction, locked when the experiment runs; r = a second try after the run
ANSWER_RE = re.compile(r"([0-9]{1,3})\.(p|r|c[0-9]{1,2})\.([0-9]{1,2})", re.ASCII)
MAX_ITEMS = 200


def parse_done(text: str) -> set[int]:
    parts = query_values.text(text).split(",")[:MAX_ITEMS]
    return {n for n in (query_values.whole_or_none(part, 0, 999) for part in parts) if n is not None}


def parse_answers(text: str) -> dict[str, int]:
    out = {}
    for part in query_values.text(text).split(",")[:MAX_ITEMS]:
        match = ANSWER_RE.fullmatch(part.strip())
        if match:
            out[f"{match[1]}.{match[2]}"] = int(match[3])
    return out


def format_done(done: set[int]) -> str:
    return ",".join(str(n) for n in sorted(done))


def format_answers(answers: dict[str, int]) -> str:
    return ",".join(f"{key}.{value}" for key, value in sorted(answers.items()))


def sync_from_url() -> None:
    ss = st.session_state
    if "progress.done" not in ss:
        ss["progress.done"] = sorted(parse_done(st.query_params.get("done", "")))
        ss["progress.answers"] = parse_answers(st.query_params.get("ans", ""))
    _write_url()


def _write_url() -> None:
    for key, text in (("done", format_done(set(done()))), ("ans", format_answers(answers()))):
        if text and st.query_params.get(key) != text:
            st.query_params[key] = text
        elif not text and key in st.query_params:
            del st.query_params[key]


def done() -> list[int]:
    return list(st.session_state.get("progress.done", []))


def answers() -> dict[str, int]:
    return dict(st.session_state.get("progress.answers", {}))


def mark_done(number: int) -> None:
    st.session_state["progress.done"] = sorted(set(done()) | {number})
    _write_url()
    class_member.record(f"{number}.done", 1)  # the live class, if the learner joined one


def ran(number: int) -> bool:
    """Whether this learner ran lesson `number`'s experiment: running it locks the
    prediction (`p`), which the URL keeps, so a refresh knows the run happened."""
    return answer(number, "p") is not None


def answer(number: int, question: str) -> int | None:
    return answers().get(f"{number}.{question}")


def set_answer(number: int, question: str, choice: int | None) -> None:
    current = answers()
    if choice is None:
        current.pop(f"{number}.{question}", None)
    else:
        current[f"{number}.{question}"] = choice
    st.session_state["progress.answers"] = current
    _write_url()
    class_member.record(f"{number}.{question}", choice)  # the live class, if the learner joined one


def reset() -> None:
    st.session_state["progress.done"] = []
    st.session_state["progress.answers"] = {}
    for key in ("done", "ans"):
        if key in st.query_params:
            del st.query_params[key]
