"""One name for one thing in the mail room's words: the post office has the counter; the client
library, which refuses a form before anything is posted, is your secretary's desk."""

from __future__ import annotations

from idemlab import model as m
from idemlab import replay
from ui.components.mailroom import alt_text, with_refusal

REFUSAL = "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true"


def test_a_refused_registration_is_said_refused_at_your_secretarys_desk_not_at_a_counter():
    empty = replay.replay(m.Trace(scenario="switching-it-on", backend="sim", config={"acks": "1"}))
    said = alt_text.describe(with_refusal(empty, REFUSAL), 0)
    assert "refused at your secretary's desk (the client library)" in said.replace("\\", "")
    assert "counter" not in said
