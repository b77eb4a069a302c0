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
