"""The outcome line names a retry the broker recognised (stored once) apart from a copy stored
twice: "duplicate" means only the second, so "0 duplicates" and the recognised retry never
read as one count contradicting the other (lesson 6)."""

from __future__ import annotations

from idemlab import scenarios, sim
from idemlab.outcome import summarize


def _sentence(name: str, **overrides) -> str:
    scenario = scenarios.load(name)
    if overrides:
        scenario = scenarios.apply_overrides(scenario, list(overrides.items()))
    return summarize(sim.run(scenario)).sentence()


def test_a_recognised_retry_is_not_called_a_duplicate_beside_the_count_of_duplicates():
    sentence = _sentence("broker-restart", **{"enable.idempotence": True})
    assert "0 duplicates" in sentence
    assert "The broker recognised 1 retry of what it already had and did not store it again." in sentence
    assert sentence.count("duplicate") == 1


def test_no_recognised_retry_no_words_about_one():
    sentence = _sentence("lost-ack", **{"enable.idempotence": False})
    assert "1 duplicate," in sentence and "recognised" not in sentence
