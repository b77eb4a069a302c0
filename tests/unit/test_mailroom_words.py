"""The mail room's words agree with its picture: one name for one thing (the post office has the
counter; the client library, which refuses the registration form before anything is posted, is
your secretary's desk; a registration is not called by a Produce request's number) and the
notebook batches the picture folds into "+2 older batches" are in the text alternative."""

from __future__ import annotations

from idemlab import backends, lessons, replay
from idemlab import model as m
from ui.components.mailroom import alt_text, with_refusal

REFUSAL = "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true"


def test_a_refused_registration_is_said_refused_at_your_secretarys_desk_not_at_a_counter():
    empty = replay.replay(m.Trace(scenario="switching-it-on", backend="sim", config={"acks": "1"}))
    said = alt_text.describe(with_refusal(empty, REFUSAL), 0)
    assert "refused at your secretary's desk (the client library)" in said.replace("\\", "")
    assert "counter" not in said
    assert "the registration form" in alt_text.sender_lines(with_refusal(empty, REFUSAL), 0)[1]
    assert "sign-up" not in said


def test_the_text_alternative_lists_the_notebook_batches_the_picture_folds_into_more():
    lesson = next(lesson for lesson in lessons.load_all() if lesson.number == 9)
    doc = replay.replay(backends.run(lessons.scenario_for(lesson), "sim"))
    (line,) = alt_text.notebook_lines(doc, len(doc["frames"]) - 1)
    # the picture shows the newest chips and "+N older batches": those are here in words
    assert "seq 0 → offset 0; seq 1–5 → offset 1–5; seq 6–10 → offset 6–10; seq 11–15 → offset 11–15" in line


def test_the_text_alternative_says_the_registration_where_the_client_says_request_2():
    lesson = next(lesson for lesson in lessons.load_all() if lesson.number == 9)
    doc = replay.replay(backends.run(lessons.scenario_for(lesson), "sim"))
    sent = next(i + 1 for i, e in enumerate(doc["events"]) if e.get("init") and e["a"] == "send" and e["r"] == 2)
    said = alt_text.now_line(doc, sent)
    assert said == "The registration (InitProducerId), try 2: asks for a producer id"
