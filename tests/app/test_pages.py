from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))  # every page, new ones too


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_from_the_entry_point(open_page, page):
    at = open_page(page)
    assert not at.exception


def test_home_shows_the_progress_carried_by_the_url(open_page):
    at = open_page("pages/home.py", done="1,2")
    assert any("2 of" in p.proto.text for p in at.get("progress"))


def test_unknown_lesson_in_the_url_falls_back_to_the_first(open_page):
    at = open_page("pages/lesson.py", lesson="no-such-lesson")
    assert at.title[0].value.startswith("Lesson")
