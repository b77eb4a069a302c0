"""When a closed connection empties the post, the words under the picture say what was lost
with it, as the picture marks it there (lesson 6: three answers held at the post office)."""

from idemlab import replay, scenarios, sim
from ui.components import mailroom
from ui.components.mailroom import alt_text, plan


def document(name):
    return mailroom.document(replay.replay(sim.run(scenarios.load(name))), interactive=False)


def closing_step(doc):
    return next(i + 1 for i, e in enumerate(doc["events"]) if e.get("a") == "closed")


def test_the_answers_held_when_the_broker_is_killed_are_said_lost_with_the_connection():
    doc = document("broker-kill")
    step = closing_step(doc)
    words = "the answers to #2, #3 and #4 lost with the connection"
    assert alt_text.now_line(doc, step).replace("\u2060", "").endswith(words)
    assert plan.together(doc)[str(step)] == words


def test_a_request_already_lost_on_its_way_is_not_said_lost_again():
    doc = document("lost-request-race")
    assert "with the connection" not in alt_text.now_line(doc, closing_step(doc))
