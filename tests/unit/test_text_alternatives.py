"""The text alternatives say what the pictures show, at every step of every shipped
scenario (simulated broker), because both are built from the same document:

- the mail room: ui/components/mailroom draws idemlab.replay's document (through the
  component's document()); its words (ui/components/mailroom/alt_text.py) are read from
  the same frames, so every letter, envelope in the post, shelf slot and notebook batch
  drawn at a step is named at that step, with the same offsets, states and duplicates;
- the sequence diagram: ui/views/sequence_figure.py draws one mark per event up to the
  step (the application's chatter folded into one mark when the run is long), and its alternative, the events table (idemlab.tables.events_frame), has the same
  events with the same request numbers, offsets and errors, "now" on the same row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from idemlab import backends, replay, scenarios, tables
from idemlab import model as m
from ui.components.mailroom import alt_text, document, with_refusal
from ui.views import sequence_marks
from ui.views.sequence_figure import WINDOW, sequence_figure

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "lessons" / "scenarios").glob("*.toml"))


def trace_of(path: Path) -> m.Trace:
    return backends.run(scenarios.load(path), "sim")


def blocks(text: str) -> dict[str, list[str]]:
    """alt_text.describe's Markdown as {block title: its "- " lines}, Markdown escapes undone."""
    plain = re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")
    out: dict[str, list[str]] = {}
    for block in plain.split("\n\n"):
        title, *lines = block.splitlines()
        out[title.split("**")[1]] = [line[2:] for line in lines if line.startswith("- ")]
    return out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_mail_room_and_its_words_agree_at_every_step(path):
    trace = trace_of(path)
    doc = document(replay.replay(trace), interactive=False)
    assert len(doc["frames"]) == min(len(trace.events), replay.MAX_EVENTS) + 1
    for position in range(len(doc["frames"])):
        drawn = alt_text.frame_lists(doc, position)
        said = blocks(alt_text.describe(doc, position))
        where = (path.stem, position)
        shelf = said["Shelf (partition log)"]
        if not drawn["shelf"]:
            assert shelf == ["the shelf is empty"], where
        else:
            assert len(shelf) == len(drawn["shelf"]), where
            for slot, line in zip(drawn["shelf"], shelf, strict=True):
                assert f"offset {slot['off']}: {slot['what']} " in line, (where, line)
                assert line.endswith("(duplicate)") == slot["dup"], (where, line)
        letters = said["Sender (producer)"][1:]
        assert [line.rsplit("(", 1)[1][:-1] for line in letters] == [row["state"] for row in drawn["sender"]], where
        assert [line.split(":")[0] for line in letters] == [row["what"] for row in drawn["sender"]], where
        post = said["In the post"]
        if drawn["post"]:
            assert [int(line[1:].split()[0]) for line in post] == [p["r"] for p in drawn["post"]], where
            assert ["lost" in line for line in post] == [p["phase"].startswith("lost") for p in drawn["post"]], where
        else:
            assert post == ["nothing in the post"], where
        notebook = said["Notebook (the broker's producer state)"]
        if drawn["notes"]:
            for note, line in zip(drawn["notes"], notebook, strict=True):
                assert line.startswith(f"PID {note['pid']} · epoch {note['epoch']} · partition {note['p']}:"), where
                assert line.count("→ offset") == len(note["batches"]), (where, line)
        else:
            assert notebook == ["nothing noted"], where


def test_the_words_name_the_current_moment_and_every_key_moment():
    doc = replay.replay(trace_of(ROOT / "lessons" / "scenarios" / "lost-ack.toml"))
    moment = doc["moments"][0]
    text = blocks(alt_text.describe(doc, moment["event"] + 1))
    step = next(title for title in text if title.startswith("Step "))
    assert step == f"Step {moment['event'] + 1} of {len(doc['events'])}:"
    said = alt_text.describe(doc)
    assert all(
        re.sub(r"\\(.)", r"\1", alt_text.md_text(mo["text"])) in re.sub(r"\\(.)", r"\1", said) for mo in doc["moments"]
    )


def test_the_words_escape_values_a_message_could_carry():
    doc = replay.replay(trace_of(ROOT / "lessons" / "scenarios" / "lost-ack.toml"))
    doc["rows"]["shelf"][0] = {**doc["rows"]["shelf"][0], "what": "<b>x</b> [link](http://e.vil)"}
    said = alt_text.describe(doc)
    assert "<b>" not in said and "](http" not in said and "&lt;b&gt;" in said


def test_a_refused_producer_is_one_step_the_words_say_so():
    trace = trace_of(ROOT / "lessons" / "scenarios" / "happy-path.toml")
    empty = replay.replay(trace)
    empty = {**empty, "events": [], "frames": empty["frames"][:1], "moments": []}
    error = "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true"
    refused = with_refusal(empty, error)
    assert len(refused["events"]) == 1 and len(refused["frames"]) == 2
    said = re.sub(r"\\(.)", r"\1", alt_text.describe(refused)).replace("\u2060", "")
    assert "Step 1 of 1" in said and error in said
    assert "the shelf is empty" in said and "nothing in the post" in said
    assert document(empty, interactive=False, refusal=error)["trips"][0]["fate"] == "refused"


def _markers(figure) -> list[tuple[float, str, float]]:
    """(y, hover text, size) of every mark the diagram draws for an event."""
    marks = []
    for trace in figure.data:
        if trace.mode and "markers" in trace.mode and trace.hovertext is not None:
            marks += list(zip(trace.y, trace.hovertext, trace.marker.size, strict=True))
    return sorted(marks, key=lambda mark: -mark[0])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_sequence_diagram_and_its_table_agree_at_every_step(path):
    trace = trace_of(path)
    for position in range(len(trace.events) + 1):
        figure = sequence_figure(trace, position)
        table = tables.events_frame(trace.events, position)
        window = sequence_marks.window(trace, position, WINDOW)
        start = window.start
        marks = _markers(figure)
        assert len(marks) == len(window.marks), (path.stem, position)
        for index, ((y, hover, size), drawn) in enumerate(zip(marks, window.marks, strict=True)):
            assert y == -index, (path.stem, position)
            if drawn.folded:  # the application's chatter, folded into one row that says so
                assert f"({drawn.folded} rows folded)" in hover and size == 11, (path.stem, position, hover)
                continue
            row = table.iloc[drawn.events.start]
            if row["error"]:
                assert row["error"] in hover, (path.stem, position, row["#"], hover)
            offset = str(row["offset"])
            if offset in ("", "not reported", "-1"):  # no offset known: the picture says so in words
                assert not re.search(r"offset \d", hover), (path.stem, position, hover)
            elif "offset" in hover:
                assert re.search(rf"offset {int(float(offset))}\b", hover), (path.stem, position, hover, offset)
            request = str(row["request"])
            if request and hover.split(": ", 1)[1].startswith(("#", "reply #", "ack #")):
                assert f"#{request}" in hover, (path.stem, position, hover, request)
            assert (size > 11) == (row["now"] != ""), (path.stem, position, row["#"])
        now = table.index[table["now"] != ""].tolist()
        assert now == ([position - 1] if position else []), (path.stem, position)
        earlier = [a.text for a in figure.layout.annotations if "earlier events" in a.text]
        assert earlier == ([f"… {start} earlier events (see the table)"] if start else []), (path.stem, position)


def test_an_empty_notebook_on_a_real_broker_says_when_it_is_read_not_that_nothing_is_noted():
    """A real broker's producer state is read with DescribeProducers after a broker action;
    before that the words must not claim the broker noted nothing."""
    from idemlab import replay, scenarios, sim
    from ui.components.mailroom import alt_text

    document = replay.replay(sim.run(scenarios.load("lessons/scenarios/happy-path.toml")))
    assert "nothing noted" in alt_text.describe(document, 0)
    real = {**document, "backend": "local"}
    words = alt_text.describe(real, 0)
    assert "a real broker is asked after a broker action" in words and "nothing noted" not in words


def test_the_words_say_which_requests_are_unanswered_as_the_picture_draws_them():
    """Lesson 9 at its three: #4's envelope on its way, the answers to #2 (held at the door) and
    #3 (refused) on their way back, as the picture draws them."""
    from idemlab import lessons

    lesson = next(lesson for lesson in lessons.load_all() if lesson.number == 9)
    doc = replay.replay(backends.run(lessons.scenario_for(lesson), "sim"))
    counts = [len(alt_text.frame_lists(doc, position)["post"]) for position in range(len(doc["frames"]))]
    three = counts.index(3)
    said = re.sub(r"\\(.)", r"\1", alt_text.describe(doc, three)).replace("\u2060", "")
    assert "3 requests unanswered: #4 on its way, the answers to #2 and #3 coming back" in said
    assert "#2 m2, m3, m4, m5, m6 (PID 0 · epoch 0 · seq 1–5): its receipt on the way back" in said
    alone = counts.index(1)
    assert "unanswered" not in alt_text.describe(doc, alone)


def test_a_run_refused_before_sending_says_so_from_its_first_step():
    """The picture shows 'producer not created' from step 0: the words do not say 'before the first event'."""
    from ui.components.mailroom import with_refusal

    refusal = "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true"
    empty = replay.replay(m.Trace(scenario="switching-it-on", backend="sim", config={"acks": "1"}))
    doc = with_refusal(empty, refusal)
    said = alt_text.describe(doc, 0)
    assert "Before the first event" not in said
    assert "never created" in said and "producer not created" in said
