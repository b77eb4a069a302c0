"""Stepping through a trace: snapshots are a pure function of (trace, position)."""

import dataclasses

import pytest

from idemlab import scenarios, sim, words
from idemlab.model import Event
from idemlab.replay import LISTS, _Frames, replay
from idemlab.timeline import fold, snapshot, states, step


def lost_ack(idempotent):
    return sim.run(scenarios.apply_overrides(scenarios.load("lost-ack"), [("enable.idempotence", idempotent)]))


def test_the_log_grows_as_the_cursor_moves_forward():
    trace = lost_ack(False)
    sizes = [len(snapshot(trace, i).stored) for i in range(len(trace.events) + 1)]
    assert sizes[0] == 0 and sizes[-1] == 4
    assert sizes == sorted(sizes)


def test_the_end_snapshot_is_the_final_stored_log():
    trace = lost_ack(True)
    assert snapshot(trace, len(trace.events)).stored == trace.stored


def test_the_notebook_holds_the_producers_last_batches():
    trace = lost_ack(True)
    rows = snapshot(trace, len(trace.events)).producer_state
    assert [(r.producer_id, r.producer_epoch, r.last_sequence) for r in rows] == [(0, 0, 2)]
    assert [b[:2] for b in rows[0].batches] == [(0, 0), (1, 1), (2, 2)]


def test_step_leaves_the_state_it_was_given_unchanged():
    trace = lost_ack(False)
    before = fold(trace.events[:5])
    snapshot_of_before = (before.position, before.records(), before.deliveries(), before.paired_attempts())
    step(before, trace.events[5])
    assert (before.position, before.records(), before.deliveries(), before.paired_attempts()) == snapshot_of_before


def test_a_state_folded_in_one_go_equals_the_states_on_the_way():
    trace = lost_ack(True)
    every = list(states(trace.events))
    assert len(every) == len(trace.events) + 1
    for position in (0, 3, 9, len(trace.events)):
        alone = fold(trace.events[:position])
        assert every[position].records() == alone.records()
        assert every[position].deliveries() == alone.deliveries()
        assert every[position].producer_state_rows() == alone.producer_state_rows()


@pytest.mark.parametrize("name", ["lost-ack", "timeout-but-stored", "producer-restart"])
def test_folding_at_once_ends_where_stepping_one_event_at_a_time_does(name):
    trace = sim.run(scenarios.load(name))
    at_once, stepped = fold(trace.events), list(states(trace.events))[-1]
    assert (at_once.position, at_once.event, at_once.acknowledged) == (
        stepped.position,
        stepped.event,
        stepped.acknowledged,
    )
    assert at_once.deliveries() == stepped.deliveries() and at_once.records() == stepped.records()
    assert at_once.paired_attempts() == stepped.paired_attempts()


def test_stepping_an_older_state_forks_without_touching_the_later_ones():
    trace = lost_ack(False)
    every = list(states(trace.events))
    end = every[-1].records()
    early = every[4]
    decision = next(e for e in trace.events if e.kind == "broker")
    forked = step(early, decision)
    assert len(forked.records()) == len(early.records()) + len(decision.get("values"))
    assert every[-1].records() == end


def test_each_send_is_paired_with_its_fault_decision_and_retry():
    trace = lost_ack(True)
    attempts = fold(trace.events).paired_attempts()
    lost = next(a for a in attempts if a.fault is not None)
    assert lost.fault.get("action") == "drop_response"
    assert lost.decision.get("result") == "appended"
    retry = attempts[lost.next_send]
    assert retry.previous_send == lost.index and retry.first_send == lost.index
    assert retry.decision.get("result") == "duplicate"


def test_in_flight_requests_are_known_at_each_step():
    trace = lost_ack(False)
    sent_at = next(i for i, e in enumerate(trace.events) if e.kind == "request")
    assert len(snapshot(trace, sent_at + 1).in_flight) == 1


def _notebook_after(trace, kind, **match):
    """The notebook rows right after the first event of `kind` whose detail matches."""
    at = next(
        i for i, e in enumerate(trace.events) if e.kind == kind and all(e.detail.get(k) == v for k, v in match.items())
    )
    return snapshot(trace, at + 1).producer_state


def test_after_a_kill_the_notebook_shows_only_the_batch_the_broker_kept():
    """Kafka 4.4 keeps one batch per producer after a kill as after a stop; the
    timeline once trimmed only on "stop" and showed 4 batches here."""
    trace = sim.run(scenarios.load("broker-kill"))
    before = _notebook_after(trace, "broker_action", action="kill")
    after = _notebook_after(trace, "producer_state")
    assert len(before[0].batches) > 1
    assert [len(row.batches) for row in after] == [1]
    assert after[0].batches[0][1] == before[0].batches[-1][1]


def test_after_a_restart_the_notebook_is_what_the_back_end_reported():
    trace = sim.run(scenarios.load("broker-restart"))
    states = [e for e in trace.events if e.kind == "producer_state"]
    assert states, "a broker action emits the broker's producer state"
    position = trace.events.index(states[-1]) + 1
    rows = snapshot(trace, position).producer_state
    reported = states[-1].detail["producers"]
    assert [(r.producer_id, r.producer_epoch, [list(b) for b in r.batches]) for r in rows] == [
        (p["producer_id"], p["producer_epoch"], p["remembered"]) for p in reported
    ]


def test_the_timeline_applies_no_rule_of_its_own():
    """A notebook of 7 batches in the trace is shown as 7: the back end decides."""
    trace = lost_ack(True)
    decision = next(e for e in trace.events if e.kind == "broker" and e.detail.get("result") == "appended")
    seven = [[i, i, i, i] for i in range(7)]
    forged = decision._replace(detail=dataclasses.replace(decision.detail, remembered=seven))
    trace.events[trace.events.index(decision)] = forged
    rows = snapshot(trace, trace.events.index(forged) + 1).producer_state
    assert len(rows[0].batches) == 7


def _expanded(document, frame):
    return {name: [document["rows"][name][i] for a, b in frame[name] for i in range(a, b + 1)] for name in LISTS}


@pytest.mark.parametrize("name", ["lost-ack", "leader-failover-unreplicated", "broker-kill", "reorder"])
def test_the_replays_frames_made_in_one_pass_equal_frames_made_from_scratch(name):
    trace = sim.run(scenarios.load(name))
    document = replay(trace)
    names = words.letter_names(trace.events)
    for position in range(len(trace.events) + 1):
        alone = _Frames(trace, names)
        frame = alone.frame(fold(trace.events[:position]), position == len(trace.events))
        scratch = {"rows": {n: alone.interned[n].rows for n in LISTS}}
        assert _expanded(document, document["frames"][position]) == _expanded(scratch, frame), position


def test_a_fold_of_plain_mappings_ends_where_the_typed_events_do():
    """Hand-built traces carry plain dicts; the fold's bulk paths read typed events by attribute."""
    trace = sim.run(scenarios.load("timeout-but-stored"))
    plain = [Event(e.t_ms, e.kind, e.detail.as_dict()) for e in trace.events]
    typed_state, plain_state = fold(trace.events), fold(plain)
    assert plain_state.deliveries() == typed_state.deliveries()
    assert plain_state.acknowledged == typed_state.acknowledged
    assert plain_state.records() == typed_state.records()


def test_an_earlier_state_does_not_see_the_retry_a_later_one_knows():
    trace = lost_ack(True)
    every = list(states(trace.events))
    retry = next(a for a in every[-1].paired_attempts() if a.previous_send is not None)
    first_send = every[-1].attempt(retry.previous_send)
    before_retry = every[retry.position]  # the state just before the retry was sent
    assert first_send.next_send == retry.index
    assert before_retry.attempt(first_send.index).next_send is None
