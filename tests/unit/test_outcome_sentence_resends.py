"""The outcome line says what the shelf shows when the application itself sent a value twice:
the copies are named, as new letters rather than retries, and no bare "0 duplicates" sits
beside a shelf that holds the same value twice (lesson 5)."""

from __future__ import annotations

from idemlab import scenarios, sim
from idemlab.model import Delivery, StoredRecord
from idemlab.outcome import summarize, summarize_parts


def _record(offset: int, value: str, msg: int) -> StoredRecord:
    return StoredRecord(
        partition=0, offset=offset, value=value, key=None, producer_id=0, producer_epoch=0, sequence=offset, msg=msg
    )


def test_a_restarted_producers_resends_are_named_on_the_shelf_as_new_letters():
    sentence = summarize(sim.run(scenarios.load("producer-restart"))).sentence()
    assert sentence.startswith("6 produced, 6 acknowledged, 6 stored: m1, m2, m3 each twice, because the application")
    assert "new letters, not retries" in sentence
    assert "0 duplicates" not in sentence and "0 retry duplicates" in sentence


def test_one_value_sent_again_is_named_in_the_singular():
    sentence = summarize(sim.run(scenarios.load("app-resend"))).sentence()
    assert "3 stored: m2 twice, because the application sent it more than once (a new letter" in sentence


def test_a_resend_stored_once_is_not_called_twice_on_the_shelf():
    deliveries = [Delivery(msg=1, value="m1", partition=0, offset=None, error="_MSG_TIMED_OUT")]
    deliveries.append(Delivery(msg=2, value="m1", partition=0, offset=0, error=None))
    outcome = summarize_parts([_record(0, "m1", 2)], deliveries)
    assert outcome.resent_stored == ()
    assert "twice" not in outcome.sentence()
    assert "The application itself sent m1 more than once." in outcome.sentence()


def test_a_retry_copy_of_a_resent_value_counts_as_a_retry_duplicate_not_a_send():
    deliveries = [Delivery(msg=1, value="m1", partition=0, offset=0, error=None)]
    deliveries.append(Delivery(msg=2, value="m1", partition=0, offset=2, error=None))
    stored = [_record(0, "m1", 1), _record(1, "m1", 1), _record(2, "m1", 2)]
    outcome = summarize_parts(stored, deliveries)
    assert outcome.resent_stored == (("m1", 2),)
    assert "3 stored: m1 twice" in outcome.sentence() and "1 retry duplicate," in outcome.sentence()
