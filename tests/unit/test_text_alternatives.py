"""The text alternatives say what the pictures show, at every step of every shipped
scenario (simulated broker), because both are built from the same snapshot:

- the mail room: ui/views/mailroom.py's HTML picture and its words (mailroom_text) list
  the same rows in the same boxes, and the animated picture's frame for that step
  (idemlab.replay, drawn by ui/components/mailroom) holds the same shelf, letters and post;
- the sequence diagram: ui/views/sequence_figure.py draws one mark per event up to the
  step, and its alternative, the events table (idemlab.tables.events_frame), has the same
  events with the same request numbers, offsets and errors, "now" on the same row."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from idemlab import backends, replay, scenarios, tables
from idemlab import model as m
from ui.views.mailroom import mailroom_html, mailroom_text
from ui.views.palette import STYLE
from ui.views.sequence_figure import WINDOW, sequence_figure
from ui.views.snapshot import snapshot

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "lessons" / "scenarios").glob("*.toml"))
WORD_AT_END = re.compile(r"\((" + "|".join(re.escape(word) for _c, _s, word in STYLE.values()) + r")\)$")


def trace_of(path: Path) -> m.Trace:
    return backends.run(scenarios.load(path), "sim")


class _Boxes(HTMLParser):
    """The mail room's HTML as {box title: [row text]}, screen-reader words included."""

    def __init__(self) -> None:
        super().__init__()
        self.boxes: dict[str, list[str]] = {}
        self.box: str | None = None
        self.row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.box = attrs["aria-label"]
            self.boxes[self.box] = []
        elif tag == "li" and self.box is not None:
            self.row = []

    def handle_endtag(self, tag):
        if tag == "li" and self.row is not None:
            self.boxes[self.box].append("".join(self.row).strip())
            self.row = None
        elif tag == "section":
            self.box = None

    def handle_data(self, data):
        if self.row is not None:
            self.row.append(data)


def picture_rows(html: str) -> list[list[str]]:
    parser = _Boxes()
    parser.feed(html)
    return list(parser.boxes.values())


def text_rows(text: str) -> list[list[str]]:
    """mailroom_text's four blocks as lists of "- label (word)" lines, dashes dropped."""
    return [[line[2:] for line in block.splitlines()[1:]] for block in text.split("\n\n")]


def frame_lists(doc: dict, position: int) -> dict[str, list[dict]]:
    frame = doc["frames"][position]
    return {
        name: [doc["rows"][name][i] for first, last in frame[name] for i in range(first, last + 1)]
        for name in replay.LISTS
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_mail_room_and_its_words_agree_at_every_step(path):
    trace = trace_of(path)
    doc = replay.replay(trace)
    assert len(doc["frames"]) == min(len(trace.events), replay.MAX_EVENTS) + 1
    for position in range(len(doc["frames"])):
        snap = snapshot(trace, position)
        picture = picture_rows(mailroom_html(snap, trace.events))
        words = text_rows(mailroom_text(snap, trace.events))
        assert len(picture) == len(words) == 4, (path.stem, position)
        for box, (drawn, said) in enumerate(zip(picture, words, strict=True)):
            if len(drawn) == 1 and not WORD_AT_END.search(drawn[0]):
                assert len(said) == 1 and "(" not in said[0], (path.stem, position, box, drawn, said)
                continue  # an empty box: "shelf is empty" / "- empty"
            # Each drawn row is "label (word)", exactly the line the text says.
            assert drawn == said, (path.stem, position, box)

        # The animated picture's frame at this step: the same shelf, letters and post.
        lists = frame_lists(doc, position)
        shelf_said = [row for row in words[2] if row.endswith(("(stored)", "(duplicate)"))]
        assert len(lists["shelf"]) == len(shelf_said), (path.stem, position)
        for drawn, said in zip(lists["shelf"], shelf_said, strict=True):
            assert f"@{drawn['off']}:" in said or f"offset {drawn['off']}:" in said, (path.stem, position, said)
            assert drawn["dup"] == said.endswith("(duplicate)"), (path.stem, position, said)
        sender_said = [row for row in words[0] if row.endswith(("(delivered)", "(waiting)", "(failed)"))]
        assert [s["state"] for s in lists["sender"]] == [row.rsplit("(", 1)[1][:-1] for row in sender_said], (
            path.stem,
            position,
        )
        in_post_said = [row for row in words[1] if row.endswith(("(request)", "(retry)"))]
        assert len(lists["post"]) == len(in_post_said), (path.stem, position)
        assert [p["r"] for p in lists["post"]] == [int(row[1:].split()[0]) for row in in_post_said], (
            path.stem,
            position,
        )


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
        start = max(0, position - WINDOW)
        shown = table.iloc[start:position]
        marks = _markers(figure)
        assert len(marks) == len(shown), (path.stem, position)
        for (y, hover, size), (_, row) in zip(marks, shown.iterrows(), strict=True):
            assert y == -(row["#"] - 1 - start), (path.stem, position)
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
