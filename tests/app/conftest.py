from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from tests.app.html_tables import html_frames

APP = str(Path(__file__).resolve().parents[2] / "app.py")


class _AfterTheSwitch(PagesManager):
    """AppTest resets Streamlit's legacy-pages flag before every run, as if each run were
    a fresh server's first visitor; a real server switches it once, on the first import
    of ui.widgets (see ui/widgets/__init__.py).  AppTest here models the server after
    that switch; tests/e2e/test_first_visitor.py covers the first visitor on a real one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def navigation_mode_as_on_a_running_server(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _AfterTheSwitch)


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield


@pytest.fixture
def open_page():
    """Run the app from its entry point, optionally with query values, and switch to a page."""

    def _open(page: str, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


@pytest.fixture
def frame_with():
    """The first table on the page that has the given column."""

    def _find(at: AppTest, column: str):
        frames = [element.value for element in at.dataframe]
        frames += [frame for element in at.get("html") for frame in html_frames(element.proto.body)]
        for frame in frames:
            if column in frame.columns:
                return frame
        raise AssertionError(f"no table with a {column!r} column")

    return _find
