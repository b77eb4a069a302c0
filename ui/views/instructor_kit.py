"""The instructor kit as Markdown, from one source: the lesson files (title, timing,
scenario, the questions with their answers and reasoning) and lessons/instructor-notes.toml
(goal, talking points, questions to ask the room, what to do live and when the real
broker misbehaves).  The Instructor kit page renders this; docs/instructor-kit.md is
this output, and a unit test fails when the two differ.  Regenerate with

    python -m ui.views.instructor_kit > docs/instructor-kit.md

Pure: no streamlit.
"""

from __future__ import annotations

from pathlib import Path

from idemlab import lessons as lesson_module
from ui.views import deeplink, presenter_deck
from ui.views.kit_notes import NOTES, notes
from ui.views.playground_spec import normalise_producer, spec_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "instructor-kit.md"
__all__ = ["DOC", "NOTES", "markdown", "notes"]


def playground_path(lesson) -> str:
    spec = spec_for(lesson.scenario)
    producer = {k: v for k, v in (lesson.overrides or {}).items() if "." in k}
    spec.producer.update(normalise_producer(producer))
    return "/playground?" + deeplink.query_string(deeplink.encode(spec))


def reveal_slide(lesson) -> int:
    """The presenter's slide number of the prediction's reveal (it comes before the
    run's moments, so it does not depend on the run)."""
    deck = presenter_deck.deck(lesson, None)
    return next(i for i, slide in enumerate(deck, 1) if slide.kind == "reveal")


def _bullets(items) -> list[str]:
    return [f"- {item}" for item in items]


def _answer_key(lesson) -> list[str]:
    out = ["**Answer key**", ""]
    labelled = [("Prediction", lesson.prediction)] + [(f"Check {i}", q) for i, q in enumerate(lesson.checks, 1)]
    for label, question in labelled:
        letter = presenter_deck.letter(question.answer)
        out += [
            f"*{label}.* {question.question}",
            "",
            *[f"- {presenter_deck.letter(i)}. {choice}" for i, choice in enumerate(question.choices)],
            "",
            f"**Answer {letter}.** {question.explanation}",
            "",
        ]
    return out


def _lesson(lesson, note: dict) -> list[str]:
    slug = lesson.slug
    links = [
        ("Lesson page", f"/lesson-{slug}"),
        ("Presenter, first slide", f"/presenter?lesson={slug}&slide=1"),
        ("Presenter, the prediction's reveal", f"/presenter?lesson={slug}&slide={reveal_slide(lesson)}"),
        ("Playground with the lesson's set-up", playground_path(lesson)),
        *[(label, path) for label, path in note.get("links", [])],
    ]
    out = [
        f"## Lesson {lesson.number}: {lesson.title}",
        "",
        f"**Goal.** {note.get('goal', '(no goal written yet)')}",
        "",
        f"**Timing.** {lesson.minutes} minutes: a few on the analogy, a few for the prediction "
        "and its reveal, the rest on the run, the mechanism that explains it (after the prediction, so "
        "it does not give the answer away) and the checks. "
        f"Experiment: `{lesson.scenario}`.",
        "",
        "**Talking points**",
        "",
        *_bullets(note.get("talking_points", [])),
        "",
        "**Questions to ask the room**",
        "",
        *_bullets(note.get("ask", [])),
        "",
        f"**Do live.** {note.get('live', '')}",
        "",
        *_answer_key(lesson),
        "**Prepared links** (append to your server's address)",
        "",
        *[f"- {label}: `{path}`" for label, path in links],
        "",
        f"**When the real broker misbehaves.** {note.get('broker', 'Use the simulated broker: it needs nothing.')}",
        "",
    ]
    return out


def cut_minutes(cut: dict, lessons: list) -> tuple[int, int]:
    """(minutes of lesson material, minutes in all) of a cut; a lesson "in full" counts
    its own minutes (its front matter), whatever the notes say."""
    by_slug = {lesson.slug: lesson for lesson in lessons}
    material = 0
    for slug, minutes, how in cut.get("lessons", []):
        lesson = by_slug.get(slug)
        material += lesson.minutes if lesson is not None and how == "in full" else int(minutes)
    return material, material + sum(int(minutes) for _part, minutes in cut.get("other", []))


def _cut(cut: dict, lessons: list) -> list[str]:
    by_slug = {lesson.slug: lesson for lesson in lessons}
    material, total = cut_minutes(cut, lessons)
    rows = []
    for slug, minutes, how in cut.get("lessons", []):
        lesson = by_slug.get(slug)
        if lesson is None:
            continue
        shown = lesson.minutes if how == "in full" else int(minutes)
        rows.append(f"| {lesson.number}. {lesson.title} | {shown} | {how} |")
    rows += [f"| {part} | {int(minutes)} | |" for part, minutes in cut.get("other", [])]
    return [
        f"### The {cut['name']} ({total} minutes, {material} of them lesson material)",
        "",
        "| part | minutes | how |",
        "|---|---|---|",
        *rows,
        f"| **total** | **{total}** | |",
        "",
    ]


def markdown(lessons: list | None = None, kit_notes: dict | None = None) -> str:
    lessons = lesson_module.load_all() if lessons is None else lessons
    kit_notes = notes() if kit_notes is None else kit_notes
    general = kit_notes.get("general", {})
    per_lesson = kit_notes.get("lesson", {})
    total = sum(lesson.minutes for lesson in lessons)
    out = [
        "# Instructor kit",
        "",
        "<!-- Generated by `python -m ui.views.instructor_kit` from the lesson files and "
        "lessons/instructor-notes.toml; edit those, not this file. -->",
        "",
        f"{len(lessons)} short lessons, about {total} minutes in all, for one projector and a room of "
        "learners on their own browsers. The same kit is the app's **Instructor kit** page.",
        "",
        "## Timing",
        "",
        "Every lesson in full (the minutes are each lesson's own, from its file):",
        "",
        "| lesson | minutes | experiment |",
        "|---|---|---|",
        *[f"| {lesson.number}. {lesson.title} | {lesson.minutes} | `{lesson.scenario}` |" for lesson in lessons],
        f"| **total** | **{total}** | |",
        "",
        *[line for cut in kit_notes.get("cut", []) for line in _cut(cut, lessons)],
        "## Before the session",
        "",
        *_bullets(general.get("before", [])),
        "",
        "## During the session",
        "",
        *_bullets(general.get("during", [])),
        "",
        "## When the real broker misbehaves",
        "",
        *_bullets(general.get("broker", [])),
        "",
    ]
    for lesson in lessons:
        out += _lesson(lesson, per_lesson.get(lesson.slug, {}))
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
