"""The client's message about a refused configuration may quote a property name or value the
user set (a link, a scenario file): the playground shows it as text, on the page and beside
the control, whatever Markdown or HTML it holds."""

import pytest

from ui.views import client_message
from ui.widgets import playground_form

HOSTILE = {
    "bold": "**x**",
    "image tag": "<img src=x onerror=alert(1)>",
    "link": "[link](javascript:alert(1))",
}


@pytest.fixture
def refused_with(monkeypatch):
    def _refuse(value: str) -> str:
        message = f'No such configuration property: "{value}"'
        monkeypatch.setattr(playground_form, "config_problem", lambda spec: ("enable.idempotence", message))
        return message

    return _refuse


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_value_in_the_clients_message_is_shown_escaped(open_page, refused_with, value):
    message = refused_with(value)
    at = open_page("pages/playground.py")
    at.session_state["pg.setup"] = True
    at.session_state["pg.tab"] = "Producer configuration"
    at.run()
    shown = [e.value for e in at.error if "configuration property" in e.value]
    assert len(shown) == 2, [e.value for e in at.error]  # under the page's heading and beside the control
    for text in shown:
        assert client_message.markdown(message) in text
        assert value not in text


def test_the_clients_own_code_quotes_stay_code():
    shown = client_message.markdown("`acks` must be set to `all` when `enable.idempotence` is true")
    assert shown == "`acks` must be set to `all` when `enable.idempotence` is true"


def test_a_backtick_in_a_value_cannot_open_markup_after_it():
    shown = client_message.markdown('property: "`x` <b>[y](javascript:z)"')
    assert "<b>" not in shown and "](" not in shown and "`x`" in shown
