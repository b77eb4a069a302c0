"""Instructor kit: run a live class, and per lesson the goal, talking points, questions
to ask, answer key, timing, prepared links and what to do when the broker misbehaves
(the same text as docs/instructor-kit.md)."""

from ui.widgets import class_host, runs

lessons = runs.lessons_or_stop("Instructor kit")
class_host.show(lessons)
class_host.kit(lessons)
