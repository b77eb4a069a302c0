"""Stepping through a trace: snapshots are a pure function of (trace, position)."""

from idemlab import scenarios, sim
from idemlab.timeline import Timeline, snapshot


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


def test_forward_back_and_seek_stay_within_the_trace():
    timeline = Timeline(lost_ack(False))
    assert timeline.back().position == 0
    timeline.forward(3)
    assert timeline.position == 3
    assert timeline.seek(10_000).position == timeline.end


def test_a_fork_replays_the_same_prefix():
    base = scenarios.load("lost-ack")
    timeline = Timeline(sim.run(base), position=8)
    forked = timeline.fork(scenarios.apply_overrides(base, [("nth", 3)]), sim.run)
    assert forked.trace.events[:8] == timeline.trace.events[:8]
    assert forked.position == 8


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
    forged = decision._replace(detail={**decision.detail, "remembered": seven})
    trace.events[trace.events.index(decision)] = forged
    rows = snapshot(trace, trace.events.index(forged) + 1).producer_state
    assert len(rows[0].batches) == 7
