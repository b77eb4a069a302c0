"""Live classes: the store contract (every store passes it: SQLite here, Kafka in
tests/kafka/test_classroom_kafka.py), the SQLite store's own promises, and the workshop's
pure pieces (presenter deck, instructor kit, class chart).

A contract test takes the `store` fixture and a `clock` (a list holding "now") that the
store reads, so expiry is tested without waiting."""

from __future__ import annotations

import multiprocessing
import re

import pytest

from idemlab import classroom
from idemlab.classroom import ClassError
from idemlab.classroom.model import MAX_ANSWERS_PER_LEARNER, new_learner, normal_code
from idemlab.classroom.sqlite_store import SqliteStore

T0 = 1_800_000_000.0


@pytest.fixture
def clock():
    return [T0]


@pytest.fixture
def store(tmp_path, clock):
    store = SqliteStore(tmp_path / "classes.sqlite3", clock=lambda: clock[0])
    yield store
    store.close()


# ---- the contract: every store ------------------------------------------------------------


def test_contract_a_class_gets_a_short_readable_code_and_can_be_found(store):
    info = store.open_class().info
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", info.code)
    assert store.get_class(info.code) == info
    assert store.get_class("ZZZZZZ") is None
    assert store.get_class("not a code") is None


def test_contract_answers_are_tallied_one_per_learner_and_question(store):
    code = store.open_class().code
    ann, bob = new_learner(), new_learner()
    store.submit(code, ann, "4.p", 1)
    store.submit(code, bob, "4.p", 0)
    store.submit(code, bob, "4.p", 1)  # changed her mind: replaces
    store.submit(code, ann, "4.c0", 2)
    assert store.tally(code, "4.p", 4) == [0, 2, 0, 0]
    assert store.tally(code, "4.c0", 3) == [0, 0, 1]
    assert len(store.answers(code)) == 3


def test_contract_finished_lessons_are_counted(store):
    code = store.open_class().code
    learners = [new_learner() for _ in range(3)]
    for learner in learners:
        store.submit(code, learner, "1.done", 1)
    store.submit(code, learners[0], "2.done", 1)
    store.submit(code, learners[0], "2.done", 1)  # twice is still one learner
    summary = store.summary(code)
    assert summary.learners == 3
    assert summary.finished == {1: 3, 2: 1}


def test_contract_classes_do_not_see_each_others_answers(store):
    one, two = store.open_class().code, store.open_class().code
    store.submit(one, new_learner(), "1.p", 1)
    assert store.answers(two) == []


@pytest.mark.parametrize(
    ("learner", "question", "choice"),
    [
        ("short", "1.p", 0),
        ("<script>alert(1)</script>", "1.p", 0),
        ("abcdefghij", "1.x", 0),
        ("abcdefghij", "1.p; DROP TABLE answers", 0),
        ("abcdefghij", "1.p", -1),
        ("abcdefghij", "1.p", 26),
        ("abcdefghij", "1.p", True),
        ("abcdefghij", "1.p", "1"),
    ],
)
def test_contract_what_a_visitor_sends_is_checked(store, learner, question, choice):
    code = store.open_class().code
    with pytest.raises(ClassError):
        store.submit(code, learner, question, choice)
    assert store.answers(code) == []


def test_contract_answers_are_bounded_per_learner(store):
    code = store.open_class().code
    learner = new_learner()
    for i in range(MAX_ANSWERS_PER_LEARNER):
        store.submit(code, learner, f"{i}.p", 0)
    with pytest.raises(ClassError, match="most"):
        store.submit(code, learner, "999.p", 0)
    store.submit(code, learner, "0.p", 1)  # changing an answer is not a new one
    store.submit(code, new_learner(), "999.p", 0)  # the bound is per learner
    assert len(store.answers(code)) == MAX_ANSWERS_PER_LEARNER + 1


def test_contract_the_class_is_bounded_in_learners(store, monkeypatch):
    monkeypatch.setattr(classroom.model, "MAX_LEARNERS", 3)
    code = store.open_class().code
    for _ in range(3):
        store.submit(code, new_learner(), "1.p", 0)
    with pytest.raises(ClassError, match="full"):
        store.submit(code, new_learner(), "1.p", 0)


def test_contract_a_class_expires(store, clock):
    info = store.open_class(ttl_s=3600)
    learner = new_learner()
    store.submit(info.code, learner, "1.p", 1)
    clock[0] += 3599
    assert store.get_class(info.code) is not None
    clock[0] += 2
    assert store.get_class(info.code) is None
    assert store.answers(info.code) == []
    with pytest.raises(ClassError, match="no open class"):
        store.submit(info.code, learner, "1.p", 0)


def test_contract_an_instructor_can_end_a_class_early(store):
    hosting = store.open_class()
    store.end_class(hosting.code, hosting.key)
    assert store.get_class(hosting.code) is None
    with pytest.raises(ClassError):
        store.submit(hosting.code, new_learner(), "1.p", 0)


@pytest.mark.parametrize("key", ["", "K7QM2X", "a-learner-token", None, "x" * 24])
def test_contract_only_the_instructors_key_ends_the_class_or_reveals(store, key):
    hosting = store.open_class()
    learner = new_learner()
    store.submit(hosting.code, learner, "1.p", 0)
    for guess in (key, hosting.code, learner):
        with pytest.raises(ClassError, match="only the instructor's link"):
            store.end_class(hosting.code, guess)
        with pytest.raises(ClassError, match="only the instructor's link"):
            store.reveal(hosting.code, guess, "1.p")
    assert store.get_class(hosting.code) is not None
    assert store.revealed(hosting.code) == set()


def test_contract_the_key_is_secret_and_not_stored(store):
    hosting = store.open_class()
    assert hosting.key not in repr(store.get_class(hosting.code))
    assert len(hosting.key) >= 20 and hosting.code not in hosting.key
    assert store.hosted(hosting.code, hosting.key) == hosting.info


def test_contract_a_revealed_question_is_known_to_every_learner(store):
    hosting = store.open_class()
    store.reveal(hosting.code, hosting.key, "2.p")
    store.reveal(hosting.code, hosting.key, "2.p")  # twice is once
    store.reveal(hosting.code, hosting.key, "2.c1")
    assert store.revealed(hosting.code) == {"2.p", "2.c1"}
    assert store.revealed(store.open_class().code) == set()
    with pytest.raises(ClassError):
        store.reveal(hosting.code, hosting.key, "2.x")


def test_contract_a_learners_action_is_stored_whole_or_not_at_all(store):
    code = store.open_class().code
    learner = new_learner()
    store.submit_many(code, learner, {f"{i}.p": 0 for i in range(MAX_ANSWERS_PER_LEARNER - 1)})
    with pytest.raises(ClassError, match="most"):
        store.submit_many(code, learner, {"900.p": 1, "901.p": 1})
    assert len(store.answers(code)) == MAX_ANSWERS_PER_LEARNER - 1
    store.submit_many(code, learner, {"0.p": 2, "900.p": 1})  # one change and one new answer fit
    assert len(store.answers(code)) == MAX_ANSWERS_PER_LEARNER


def test_contract_a_class_lasts_between_a_minute_and_a_day(store):
    with pytest.raises(ClassError):
        store.open_class(ttl_s=10)
    with pytest.raises(ClassError):
        store.open_class(ttl_s=2 * 24 * 3600)


def test_contract_unknown_codes_are_refused(store):
    with pytest.raises(ClassError):
        store.submit("ABCDEF", new_learner(), "1.p", 0)
    with pytest.raises(ClassError):
        store.submit("abc", new_learner(), "1.p", 0)


# ---- SQLite: one file, survives a restart, several processes ---------------------------------


def test_sqlite_classes_survive_an_app_restart(tmp_path):
    path = tmp_path / "classes.sqlite3"
    first = SqliteStore(path)
    code = first.open_class().code
    first.submit(code, new_learner(), "1.p", 2)
    again = SqliteStore(path)  # a new process would open the same file
    assert again.tally(code, "1.p", 3) == [0, 0, 1]


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path):
    import sqlite3

    path = tmp_path / "classes.sqlite3"
    SqliteStore(path)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _answer_many(path: str, code: str, count: int) -> None:
    store = SqliteStore(path)
    learner = new_learner()
    for i in range(count):
        store.submit(code, learner, f"{i}.p", i % 3)


def test_sqlite_is_safe_with_several_app_processes(tmp_path):
    path = str(tmp_path / "classes.sqlite3")
    code = SqliteStore(path).open_class().code
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_answer_many, args=(path, code, 40)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    store = SqliteStore(path)
    assert len(store.answers(code)) == 160
    assert store.summary(code).learners == 4


def test_the_store_is_chosen_by_the_operator(tmp_path):
    store = classroom.open_store({"IDEMLAB_CLASS_DB": str(tmp_path / "x.sqlite3")})
    assert store.kind == "sqlite"
    with pytest.raises(ClassError, match="sqlite or kafka"):
        classroom.open_store({"IDEMLAB_CLASS_STORE": "redis"})
    with pytest.raises(ClassError, match="IDEMLAB_CLASS_KAFKA"):
        classroom.open_store({"IDEMLAB_CLASS_STORE": "kafka"})


@pytest.mark.parametrize(
    ("typed", "code"),
    [("k7qm2x", "K7QM2X"), (" K7Q-M2X ", "K7QM2X"), ("K7QM2", ""), ("K0QM2X", ""), ("<b>", ""), ("", "")],
)
def test_a_typed_code_is_normalised_or_refused(typed, code):
    assert normal_code(typed) == code


# ---- the presenter's deck ------------------------------------------------------------------


@pytest.fixture(scope="module")
def decks():
    from idemlab import backends
    from idemlab.lessons import load_all, scenario_for
    from ui.views import presenter_deck

    out = []
    for lesson in load_all():
        trace = backends.run(scenario_for(lesson), "sim")
        out.append((lesson, trace, presenter_deck.deck(lesson, trace)))
    return out


def test_every_question_is_followed_by_its_reveal_and_the_prediction_comes_before_the_run(decks):
    for lesson, _trace, deck in decks:
        kinds = [slide.kind for slide in deck]
        for i, slide in enumerate(deck):
            if slide.kind == "question":
                assert deck[i + 1].kind == "reveal" and deck[i + 1].question == slide.question
        assert kinds.index("reveal") < kinds.index("after")
        if "moment" in kinds:
            assert kinds.index("reveal") < kinds.index("moment"), lesson.slug
        assert sum(1 for s in deck if s.kind == "reveal") == 1 + len(lesson.checks)


def test_options_are_one_per_line():
    from ui.views.presenter_deck import options_markdown

    text = options_markdown(["m1, m2 — a", "m1 — b", "1. looks like a list"])
    assert text.splitlines() == ["- **A.** m1, m2 — a", "- **B.** m1 — b", "- **C.** 1. looks like a list"]


def test_no_slide_points_above_or_below_at_something_it_does_not_show(decks):
    """Only the 'after the run' slide may say 'above': it draws the explanation first."""
    for lesson, _trace, deck in decks:
        for slide in deck:
            if slide.kind in ("text", "title") and re.search(r"\b(above|below)\b", slide.body):
                raise AssertionError(f"{lesson.slug}: slide {slide.title!r} refers to content not on it")


def test_every_slide_holds_at_most_40_words_and_its_prose_is_in_the_notes(decks):
    from ui.views.presenter_deck import SLIDE_WORDS, on_screen, words

    for lesson, _trace, deck in decks:
        for slide in deck:
            count = words(on_screen(slide))
            assert count <= SLIDE_WORDS, (lesson.slug, slide.kind, slide.title, count)
        notes = "\n\n".join(slide.notes for slide in deck if slide.kind == "text")
        for heading in ("Analogy", "Mechanism"):
            for block in lesson.section(heading).split("\n\n"):
                assert block.strip() in notes, (lesson.slug, heading, block[:60])


def test_a_question_slide_keeps_the_lessons_letters_and_its_notes_hold_the_full_question(decks):
    from ui.views.presenter_deck import letter, options_markdown, question_of

    for lesson, _trace, deck in decks:
        for slide in deck:
            if slide.kind not in ("question", "reveal"):
                continue
            question = question_of(lesson, slide.question)
            assert len(slide.choices) == len(question.choices), (lesson.slug, slide.title)
            if slide.kind == "question":
                assert options_markdown(slide.choices) in slide.body
                assert question.question in slide.notes and options_markdown(question.choices) in slide.notes
            else:
                right = f"**Answer {letter(question.answer)}.** {slide.choices[question.answer]}"
                assert slide.body == right, (lesson.slug, slide.title)
                assert question.correct in slide.notes and question.explanation in slide.notes


def test_every_question_has_a_short_version_with_the_lessons_number_of_options():
    from idemlab.lessons import load_all
    from ui.views import kit_notes

    for lesson in load_all():
        short = kit_notes.slides(lesson.slug)
        written = [short["prediction"], *short["check"]]
        assert len(written) == 1 + len(lesson.checks), lesson.slug
        for mine, theirs in zip(written, [lesson.prediction, *lesson.checks], strict=True):
            assert len(mine["choices"]) == len(theirs.choices), (lesson.slug, mine["question"])


def test_a_short_version_with_other_options_is_not_used_so_no_letter_moves():
    from idemlab.lessons import load_all
    from ui.views.presenter_deck import deck

    lesson = load_all()[0]
    short = {"prediction": {"question": "Which?", "choices": ["one", "two"]}}
    predict = next(slide for slide in deck(lesson, None, short=short) if slide.kind == "question")
    assert predict.choices == lesson.prediction.choices


def test_the_word_count_sees_a_question_slides_options_and_a_reveal_slides_chart():
    from idemlab.lessons import load_all
    from ui.views.presenter_deck import SLIDE_WORDS, deck, on_screen, words

    lesson = load_all()[0]
    wordy = "a long option of many words " * 2
    short = {"prediction": {"question": "Which?", "choices": [f"{wordy}{i}" for i in range(4)]}}
    slides = [slide for slide in deck(lesson, None, short=short) if slide.question == "p"]
    assert [slide.kind for slide in slides] == ["question", "reveal"]
    assert all(words(on_screen(slide)) > SLIDE_WORDS for slide in slides)


def test_the_word_count_sees_words_not_markup():
    from ui.views.presenter_deck import headline, words

    assert words("- **Idempotence off**: a `retried` batch") == 5
    assert words("m1, m2, m3: **reordered**") == 4
    assert headline("The producer stops (“a long client message. With dots”): it refuses. More.") == (
        "The producer stops: it refuses."
    )


def test_slides_fit_a_screen(decks):
    from ui.views.presenter_deck import TEXT_LIMIT

    for lesson, _trace, deck in decks:
        for slide in deck:
            if slide.kind == "text" and "\n\n" in slide.body:
                assert len(slide.body) <= TEXT_LIMIT, (lesson.slug, slide.title)


def test_a_slide_number_from_a_url_stays_inside_the_deck():
    from ui.views.presenter_deck import parse_slide

    assert parse_slide("26", 19) == 19
    assert parse_slide("0", 19) == 1
    assert parse_slide("seven", 19) == 1
    assert parse_slide(None, 19) == 1
    assert parse_slide("5", 19) == 5


def test_the_projector_diagram_keeps_the_current_event_in_a_short_large_window(decks):
    from ui.views.presenter_deck import PROJECTOR_WINDOW
    from ui.widgets.presenter_view import _diagram

    _lesson, trace, _deck = decks[5]
    html = _diagram(trace, len(trace.events))
    assert html.count("<li ") <= PROJECTOR_WINDOW
    assert 'class="idl-seq idl-seq-large"' in html
    assert 'aria-current="step"' in html


# ---- the instructor kit and the class chart -----------------------------------------------------


def test_the_kit_in_the_repository_is_the_one_the_page_shows():
    from ui.views import instructor_kit

    assert instructor_kit.DOC.read_text(encoding="utf-8") == instructor_kit.markdown(), (
        "docs/instructor-kit.md is stale: python -m ui.views.instructor_kit > docs/instructor-kit.md"
    )


def test_the_kit_has_every_part_for_every_lesson():
    from idemlab.lessons import load_all
    from ui.views import instructor_kit

    text = instructor_kit.markdown()
    notes = instructor_kit.notes()["lesson"]
    for lesson in load_all():
        assert lesson.slug in notes, f"lessons/instructor-notes.toml has no [lesson.{lesson.slug}]"
        part = text.split(f"## Lesson {lesson.number}: ")[1].split("\n## ")[0]
        for heading in (
            "**Goal.**",
            "**Timing.**",
            "**Talking points**",
            "**Questions to ask the room**",
            "**Answer key**",
            "**Prepared links**",
            "**When the real broker misbehaves.**",
        ):
            assert heading in part, (lesson.slug, heading)
        assert f"**Answer {chr(65 + lesson.prediction.answer)}.** {lesson.prediction.explanation}" in part


def test_the_class_chart_labels_every_bar_and_escapes_the_choices():
    from ui.views.class_chart import answers_html, answers_text

    html = answers_html(["<img src=x onerror=alert(1)> — a", "b"], [3, 1], "Class K7QM2X")
    assert "<img" not in html and "&lt;img" in html
    assert "3 · 75 %" in html and "1 · 25 %" in html
    assert "<table>" in html and "#0072B2" in html and "#E69F00" in html
    assert answers_text(["a", "b"], [3, 1]) == "A: 3 (75 %); B: 1 (25 %)"


# ---- a crowd: class writes survive contention ----------------------------------------------------


def test_sqlite_a_locked_file_makes_a_write_wait_not_fail(tmp_path):
    import sqlite3
    import threading

    path = tmp_path / "classes.sqlite3"
    store = SqliteStore(path)
    code = store.open_class().code
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a while
    learner = new_learner()
    done = threading.Event()
    writer = threading.Thread(target=lambda: (store.submit(code, learner, "1.p", 2), done.set()))
    writer.start()
    assert not done.wait(0.5)  # still waiting behind the lock, not failed
    blocker.execute("COMMIT")
    writer.join(60)
    assert done.is_set()
    assert store.tally(code, "1.p", 3) == [0, 0, 1]


def test_sqlite_a_lock_held_past_the_deadline_is_one_sentence(tmp_path, monkeypatch):
    import sqlite3

    from idemlab.classroom import sqlite_store

    path = tmp_path / "classes.sqlite3"
    store = SqliteStore(path)
    code = store.open_class().code
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_S", 0.05)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ClassError, match=r"^The class database is busy; nothing was saved, please try again\.$"):
            sqlite_store.retrying(lambda: store._attempt(lambda db: None), deadline_s=0.3)
    finally:
        blocker.execute("ROLLBACK")
    store.submit(code, new_learner(), "1.p", 0)


def test_sqlite_a_file_from_before_control_links_opens(tmp_path):
    import sqlite3

    path = tmp_path / "classes.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE classes (code TEXT PRIMARY KEY, created REAL NOT NULL, expires REAL NOT NULL)")
    old.execute("INSERT INTO classes VALUES ('K7QM2X', 1, 9e12)")
    old.commit()
    old.close()
    store = SqliteStore(path)
    assert store.get_class("K7QM2X") is not None
    with pytest.raises(ClassError, match="only the instructor's link"):
        store.end_class("K7QM2X", "")  # an old class has no key: nobody can take control of it
    assert store.open_class().key


def test_a_crowd_on_several_processes_loses_no_acknowledged_answer(tmp_path):
    """The room's contention at CI scale: 3 app processes, 24 learners at once, 40 learners
    x 25 answers; every answer the store acknowledged is read back, and none was refused."""
    from idemlab.classroom import crowd

    settings = {"IDEMLAB_CLASS_DB": str(tmp_path / "classes.sqlite3")}
    store = classroom.open_store(settings)
    code = store.open_class().code
    result = crowd.run(settings, code, learners=40, answers=25, at_once=24, processes=3)
    assert result.errors == []
    assert len(result.acknowledged) == 40 * 25
    assert crowd.lost(store, code, result) == []
    assert store.summary(code).learners == 40


# ---- the workshop's timing: the kit adds up and follows the lessons ---------------------------


def _table(text: str, heading: str) -> list[list[str]]:
    part = text.split(heading, 1)[1]
    rows = []
    for line in part.splitlines()[1:]:
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows and not line.startswith("|"):
            break
    return rows[1:]  # without the header


def test_the_kits_timing_table_is_the_lessons_front_matter_and_adds_up():
    from idemlab.lessons import load_all
    from ui.views import instructor_kit

    lessons = load_all()
    rows = _table(instructor_kit.markdown(), "## Timing")
    assert [int(row[1]) for row in rows[:-1]] == [lesson.minutes for lesson in lessons]
    assert rows[-1][1] == f"**{sum(lesson.minutes for lesson in lessons)}**"


def test_every_cut_adds_up_and_the_90_minute_cut_keeps_at_most_70_minutes_of_material():
    from idemlab.lessons import load_all
    from ui.views import instructor_kit

    lessons = load_all()
    text = instructor_kit.markdown()
    cuts = instructor_kit.notes()["cut"]
    assert [cut["name"] for cut in cuts] == ["90-minute cut", "half-day cut"]
    by_slug = {lesson.slug: lesson for lesson in lessons}
    for cut in cuts:
        _material, total = instructor_kit.cut_minutes(cut, lessons)
        assert total == cut["length"], cut["name"]
        rows = _table(text, f"### The {cut['name']}")
        assert sum(int(row[1]) for row in rows[:-1]) == total and rows[-1][1] == f"**{total}**"
        for slug, minutes, how in cut["lessons"]:
            assert slug in by_slug, slug
            if how == "in full":
                assert minutes == by_slug[slug].minutes, (cut["name"], slug)
            else:
                assert minutes < by_slug[slug].minutes, (cut["name"], slug)
    ninety = instructor_kit.cut_minutes(cuts[0], lessons)
    assert ninety[0] <= 70 and ninety[1] == 90


# ---- joining: the title slide's card -------------------------------------------------------------


def qr_matrix_of_svg(svg: str) -> list[list[bool]]:
    """The dark modules of a segno SVG path ("M x y.5 h n m dx dy ..."): a tiny reader, so
    a test can check what a page draws without a QR decoder."""
    import re as _re

    d = _re.search(r"class=[\"']qrline[\"'][^>]*\bd=[\"']([^\"']+)", svg)[1]
    x = y = 0.0
    cells = set()
    for op, a, b in _re.findall(r"([MmHh])(-?[\d.]+)(?:\s(-?[\d.]+))?", d):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(float(a))):
                cells.add((int(y), int(x) + i))
            x += float(a)
    size = max(max(r, c) for r, c in cells) + 1 + 4
    return [[(r, c) in cells for c in range(size)] for r in range(size)]


def svg_of_img(src: str) -> str:
    from urllib.parse import unquote

    prefix = "data:image/svg+xml;charset=utf-8,"
    assert src.startswith(prefix), src[:40]
    return unquote(src[len(prefix) :])


def segno_matrix(url: str) -> list[list[bool]]:
    import segno

    code = segno.make(url, error="m", micro=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(border=4)]


def test_the_join_card_draws_a_qr_code_of_the_join_link_and_escapes_the_url():
    from html import unescape

    from ui.views import join_card

    url = "http://127.0.0.1:8501/class?code=K7QM2X"
    html = join_card.html("K7QM2X", url)
    src = unescape(re.search(r'data-testid="join-qr"><img src="([^"]+)"', html)[1])
    drawn = qr_matrix_of_svg(svg_of_img(src))
    assert drawn == segno_matrix(url)
    assert drawn != segno_matrix(url.replace("K7QM2X", "K7QM2Y"))
    assert "Join a class" in html and join_card.CODE_PX >= 48 and join_card.LINK_PX >= 48
    assert "<script" not in join_card.html("K7QM2X", "http://x/<script>")


def test_the_join_card_names_the_menu_entry_the_app_really_has():
    from pathlib import Path

    from ui.views import join_card

    nav = Path(__file__).resolve().parents[2].joinpath("ui", "widgets", "nav.py").read_text()
    assert f'title="{join_card.MENU_ENTRY}", url_path="class"' in nav
