"""One name per letter: every shipped scenario rendered through every engine describer,
explanation, outcome line, key moment, table and the ui/views builders; a letter is
named by its value everywhere, so no text may use a name "mN" that is not a value the
run sent (an index beside a different value), pair an index with a value (m3 "m2"),
or show "offset None".  Also the engine's glossary and in-flight limit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from idemlab import explain, model, moments, report, scenarios, sim, tables, timeline, words
from idemlab.outcome import summarize
from idemlab.producer_config import in_flight_limit
from idemlab.reference_data import glossary

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(ROOT.glob("lessons/scenarios/*.toml")) + sorted(ROOT.glob("tests/scenarios/*.toml"))
NAME = re.compile(r"(?<![\w\-#@.])m(\d+)(?![\w\-])")
PAIRED = re.compile(r'\bm\d+ "[^"]*"|\bm\d+ \(m\d+\)')


def engine_texts(trace: model.Trace) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {
        "plain": [words.describe(e) for e in trace.events],
        "terse": [words.describe(e, words.TERSE) for e in trace.events],
        "explain": explain.explain(trace),
        "outcome": [summarize(trace).sentence()],
        "moments": [mo.text for mo in moments.key_moments(trace)],
        "account": [report.account(trace)],
    }
    frames = [
        tables.stored_log_frame(trace.stored, words.letter_names(trace.events)),
        tables.stored_log_frame(trace.stored),
        tables.deliveries_frame(trace.deliveries, trace.stored),
        tables.events_frame(trace.events),
    ]
    for position in sorted({0, len(trace.events) // 2, len(trace.events)}):
        snap = timeline.snapshot(trace, position)
        texts.setdefault("snapshot outcome", []).append(snap.outcome.sentence())
        frames.append(tables.deliveries_frame(snap.deliveries, snap.stored))
        frames.append(tables.producer_state_frame(snap.producer_state))
    texts["tables"] = [" | ".join(map(str, row)) for frame in frames for row in frame.astype(str).values.tolist()]
    return texts


def view_texts(trace: model.Trace) -> dict[str, list[str]]:
    from idemlab import replay
    from ui.components.mailroom import alt_text
    from ui.views import sequence_figure

    texts: dict[str, list[str]] = {}
    document = replay.replay(trace)
    for position in sorted({0, len(trace.events) // 2, len(trace.events)}):
        texts.setdefault("mailroom", []).append(alt_text.describe(document, min(position, len(document["frames"]) - 1)))
        figure = sequence_figure.sequence_figure(trace, position, window=len(trace.events) or 1)
        texts.setdefault("sequence figure", []).extend(a.text for a in figure.layout.annotations or ())
    return texts


def problems(trace: model.Trace, texts: dict[str, list[str]]) -> list[str]:
    values = {str(e.get("value")) for e in trace.events if e.kind in (model.PRODUCE_CALLED, model.PRODUCE_REFUSED)}
    found = []
    for where, lines in texts.items():
        for text in lines:
            for match in NAME.finditer(text):
                if match.group(0) not in values:
                    found.append(f"{where}: {match.group(0)!r} is not a value of this run: {text[:160]!r}")
            for match in PAIRED.finditer(text):
                found.append(f"{where}: index paired with a value {match.group(0)!r}: {text[:160]!r}")
            if "offset None" in text:
                found.append(f"{where}: 'offset None': {text[:160]!r}")
    return found


@pytest.fixture(scope="module", params=[(p, idem) for p in SHIPPED for idem in (None, True, False)], ids=str)
def trace(request) -> model.Trace:
    path, idem = request.param
    scenario = scenarios.load(str(path))
    if idem is not None:
        scenario = scenarios.apply_overrides(scenario, [("enable.idempotence", idem)])
    return sim.run(scenario)


def test_every_scenario_names_each_letter_once_in_the_engine(trace):
    assert problems(trace, engine_texts(trace)) == []


def test_every_scenario_names_each_letter_once_in_the_views(trace):
    assert problems(trace, view_texts(trace)) == []


def test_a_value_sent_again_has_its_own_name():
    trace = sim.run(scenarios.load("app-resend"))
    names = words.letter_names(trace.events)
    assert list(names.values()) == ["m1", "m2", "m2 (sent again)"]
    stored = tables.stored_log_frame(trace.stored, names)
    assert list(stored["message"]) == ["m1", "m2", "m2 (sent again)"]
    assert list(tables.deliveries_frame(trace.deliveries, trace.stored)["message"]) == list(names.values())


def test_the_checker_catches_two_names():
    trace = sim.run(scenarios.load("app-resend"))
    assert problems(trace, {"x": ['offset 2: m3 "m2"']}) and problems(trace, {"x": ["m3 delivered"]})
    assert problems(trace, {"x": ["delivered, offset None"]})
    assert not problems(trace, {"x": ["m2 (sent again) delivered at offset 2", "request #3, offset 2"]})


def test_the_glossary_explains_every_term_in_plain_words():
    terms = glossary()
    for term in ("producer id", "epoch", "sequence number", "batch", "in flight", "acks", "ISR"):
        assert len(terms[term]) > 40, term
    assert "in-sync" in terms["acks"] and "timestamp" in terms["producer id expiration"]
    assert "check" in terms["producer id expiration"]


def test_the_in_flight_limit_that_applies():
    on = in_flight_limit({"enable.idempotence": True})
    assert (on.requests, on.messages_per_partition) == (5, 5) and "one request per partition" in on.text
    single = in_flight_limit({"enable.idempotence": True, "batch.num.messages": 1, "max.in.flight": 3})
    assert single.requests == 3 and "up to 3 requests per partition" in single.text
    off = in_flight_limit({"enable.idempotence": False})
    assert off.requests == 1_000_000 and off.messages_per_partition is None
