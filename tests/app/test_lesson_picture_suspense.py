"""A lesson whose prediction asks how the producer starts shows no mail-room picture
before the run (ui/views/analogy_preview.py: pictured); the others do."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("slug", ["what-it-costs", "the-seeds-producer-in-java"])
def test_a_lesson_asking_how_the_producer_starts_shows_no_picture_before_the_run(open_page, slug):
    at = open_page("pages/lesson.py", lesson=slug)
    assert len(at.get("bidi_component")) == 0
    assert not any(e.label == "Show this picture as text" for e in at.expander)


def test_a_lesson_asking_about_the_shelf_shows_its_paused_picture(open_page):
    at = open_page("pages/lesson.py", lesson="letters-get-lost")
    assert len(at.get("bidi_component")) == 1
    assert any(e.label == "Show this picture as text" for e in at.expander)
