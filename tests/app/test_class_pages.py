"""The live class in the app (AppTest): the instructor's control link against the join
code, the learner's verdict kept back until the reveal, and the presenter's reveal key.
The server's class store is a fresh SQLite file per test (IDEMLAB_CLASS_DB)."""

from __future__ import annotations

import pytest

from idemlab import classroom
from idemlab.classroom.model import new_learner
from idemlab.lessons import load_all
from ui.views import presenter_deck

LESSON = next(lesson for lesson in load_all() if lesson.number == 1)
REVEAL = next(i for i, s in enumerate(presenter_deck.deck(LESSON, None), 1) if s.kind == "reveal")
ANSWER = f"**Answer {presenter_deck.letter(LESSON.prediction.answer)}.**"


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = str(tmp_path / "classes.sqlite3")
    monkeypatch.setenv("IDEMLAB_CLASS_DB", path)
    return classroom.open_store({"IDEMLAB_CLASS_DB": path})


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in (at.info, at.warning, at.error, at.success) for e in kind]
    return "\n".join(str(p) for p in parts)


def test_opening_a_class_puts_a_secret_control_link_in_the_url(open_page, store):
    at = open_page("pages/instructor.py")
    at.button(key="host.open").click().run()
    code, key = at.query_params["class"], at.query_params["key"]
    code, key = (code[0], key[0]) if isinstance(code, list) else (code, key)
    assert store.hosted(code, key).code == code
    assert any(key in c.value for c in at.code)  # the control link, shown to the instructor
    assert at.button(key="host.end")


def test_the_join_code_alone_shows_no_overview_and_cannot_end_the_class(open_page, store):
    hosting = store.open_class()
    store.submit(hosting.code, new_learner(), "1.p", 1)
    at = open_page("pages/instructor.py", **{"class": hosting.code})
    assert not [b for b in at.button if b.key == "host.end"]
    assert not at.dataframe
    assert "controlled only from its instructor's link" in _texts(at)
    at = open_page("pages/instructor.py", **{"class": hosting.code, "key": "a-guessed-key-0123456789"})
    assert not [b for b in at.button if b.key == "host.end"]
    assert store.get_class(hosting.code) is not None


def test_the_control_link_shows_the_overview_and_ends_the_class(open_page, store):
    hosting = store.open_class()
    at = open_page("pages/instructor.py", **{"class": hosting.code, "key": hosting.key})
    assert at.dataframe  # the overview
    at.button(key="host.end").click().run()
    assert store.get_class(hosting.code) is None


def _learner_runs(open_page, code: str, learner: str):
    at = open_page("pages/lesson.py", cls=f"{code}.{learner}")
    radio = at.radio(key="lesson.1.p")
    radio.set_value(radio.options[LESSON.prediction.answer]).run()
    next(b for b in at.button if b.label == "Run the experiment").click().run()
    assert not at.exception
    return at


def _verdicts(at) -> list[str]:
    return [s.value for s in at.success if "Right." in s.value] + [e.value for e in at.error if "Not quite" in e.value]


def test_in_a_class_the_verdict_waits_for_the_instructors_reveal(open_page, store):
    hosting = store.open_class()
    learner = new_learner()
    at = _learner_runs(open_page, hosting.code, learner)
    assert store.tally(hosting.code, "1.p", len(LESSON.prediction.choices))[LESSON.prediction.answer] == 1
    assert _verdicts(at) == []
    assert any("The verdict comes when your instructor reveals" in i.value for i in at.info)
    assert any(m.value.startswith("- ") for m in at.markdown)  # what happened is shown
    store.reveal(hosting.code, hosting.key, "1.p")
    at.run()
    assert any(v.startswith("Right.") for v in _verdicts(at))


def test_the_presenter_shows_the_answer_only_on_its_key_and_that_releases_the_verdicts(open_page, store):
    hosting = store.open_class()
    store.submit(hosting.code, new_learner(), "1.p", 0)
    params = {"lesson": LESSON.slug, "slide": str(REVEAL), "class": hosting.code, "key": hosting.key}
    at = open_page("pages/presenter.py", **params)
    assert ANSWER not in _texts(at)
    assert "1 of 1 answered" in _texts(at)
    at.button(key="present.show_answer").click().run()
    assert ANSWER in _texts(at)
    assert store.revealed(hosting.code) == {"1.p"}


def test_a_presenter_without_the_key_shows_neither_the_class_nor_reveals_for_it(open_page, store):
    hosting = store.open_class()
    store.submit(hosting.code, new_learner(), "1.p", 0)
    at = open_page("pages/presenter.py", lesson=LESSON.slug, slide=str(REVEAL), **{"class": hosting.code})
    assert "answered" not in _texts(at)
    assert "show only from the instructor's presenter link" in _texts(at)
    at.button(key="present.show_answer").click().run()
    assert ANSWER in _texts(at)  # the room still gets the answer
    assert store.revealed(hosting.code) == set()  # but no learner's verdict is released by it


def test_the_title_slide_shows_the_join_card_with_a_qr_code(open_page, store):
    hosting = store.open_class()
    at = open_page("pages/presenter.py", lesson=LESSON.slug, slide="1", **{"class": hosting.code})
    cards = [h.proto.body for h in at.get("html") if "idl-join" in h.proto.body]
    assert cards and hosting.code in cards[0] and "data:image/svg+xml" in cards[0] and "Join a class" in cards[0]
    assert hosting.key not in cards[0]


def test_a_store_that_refuses_is_one_sentence_on_every_class_page(open_page, store, monkeypatch):
    from idemlab.classroom.sqlite_store import SqliteStore

    hosting = store.open_class()

    def busy(*_args, **_kwargs):
        raise classroom.ClassError("The class database is busy; nothing was saved, please try again.")

    monkeypatch.setattr(SqliteStore, "_load_class", busy)
    for page, params in (
        ("pages/instructor.py", {"class": hosting.code, "key": hosting.key}),
        ("pages/classroom.py", {"cls": f"{hosting.code}.{new_learner()}"}),
        ("pages/presenter.py", {"lesson": LESSON.slug, "slide": str(REVEAL), "class": hosting.code}),
        ("pages/lesson.py", {"cls": f"{hosting.code}.{new_learner()}"}),
    ):
        at = open_page(page, **params)
        assert not at.exception, page
        assert not any("This page failed" in e.value for e in at.error), page
        if page in ("pages/instructor.py", "pages/classroom.py"):
            assert "The class database is busy" in _texts(at), page
