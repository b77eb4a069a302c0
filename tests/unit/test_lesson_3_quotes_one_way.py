"""Lesson 3 quotes the client's refusal one way wherever the page shows it: in double
quotes, its own `name` quotes as code (as the playground shows a client's message); never
as one code span with the backticks showing, nor bare in brackets."""

import re
from pathlib import Path

from idemlab import lessons, sim
from idemlab.explain import explain

LESSON = Path(__file__).resolve().parents[2] / "lessons" / "03-switching-it-on.md"


def test_every_quote_of_the_refusal_in_lesson_3_is_in_double_quotes():
    text = LESSON.read_text(encoding="utf-8")
    before = [text[match.start() - 1] for match in re.finditer("Failed to create producer", text)]
    assert len(before) >= 6
    assert set(before) <= {'"'}, before  # an [expect] value or a prose quote; \" in a TOML string


def test_the_explanation_quotes_the_refusal_as_the_lesson_does():
    trace = sim.run(lessons.scenario_for(lessons.load("switching-it-on")))
    assert trace.run_error.startswith("Failed to create producer")
    assert any(f'"{trace.run_error}"' in sentence for sentence in explain(trace))
