"""Every page, opened with every query key the app reads set to a hostile value, shows
the page (a notice at most), never an exception."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP
from ui.views import deeplink

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
KEYS = sorted({*deeplink.KEYS, "done", "ans", "lesson", "slide", "class", "key", "code", "cls", "backend", "cluster"})
HOSTILE = {
    "superscript": "²",
    "circled": "①,1.p.①,①:drop_response",
    "huge": "9" * 4301,
    "bidi": "\u202e1,\u2066p0.1:drop_response\u2069",
    "markup": "<script>alert(1)</script>[x](https://evil.invalid) www.evil.invalid",
    "faults": "p²:drop_response,1:delay:٣,p0.1:drop_response:s①",
}


def _opened(page: str, value: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key in KEYS:
        at.query_params[key] = value
    at.run()
    if not at.exception:
        at.switch_page(page).run()
    return at


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("page", PAGES)
def test_no_query_value_raises_past_the_page(page, kind):
    at = _opened(page, HOSTILE[kind])
    assert not at.exception, [e.value for e in at.exception]
