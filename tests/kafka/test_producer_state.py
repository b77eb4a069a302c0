"""The broker's notebook comes from each back end, and they agree.

The simulator emits what its rules kept; the real back end asks the broker
(DescribeProducers) after each decision of a small run and after a broker action.  The
timeline only folds those events, so both views show one remembered batch per producer
after a stop and after a kill (Kafka 4.4), and the same notebook at the end of a run.
"""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import replace

import pytest

from idemlab import replay, scenarios, sim
from idemlab.kafka.launcher import launched_pids
from idemlab.kafka.producer_state_reader import READ_AFTER_EACH_DECISION_UP_TO
from idemlab.kafka.runner import run_on_kafka
from idemlab.model import BROKER_DECISION, PRODUCE_CALLED, PRODUCER_ID_ASSIGNED, PRODUCER_STATE, Step
from idemlab.timeline import fold, snapshot
from ui.components.mailroom import alt_text

pytestmark = [pytest.mark.kafka, pytest.mark.usefixtures("java_required")]


def notebook_after_restart(trace):
    """(producer by order of appearance, epoch, last sequence of each remembered batch)
    just after the producer state reported once the broker was started again."""
    started = next(i for i, e in enumerate(trace.events) if e.kind == "broker_action" and e.get("action") == "start")
    reported = next(i for i, e in enumerate(trace.events) if i > started and e.kind == "producer_state")
    names: dict[int, str] = {}
    return [
        (names.setdefault(row.producer_id, f"P{len(names)}"), row.producer_epoch, [b[1] for b in row.batches])
        for row in snapshot(trace, reported + 1).producer_state
    ]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", ["broker-kill", "broker-restart"])
def test_after_a_restart_both_back_ends_show_the_one_batch_the_broker_kept(name):
    scenario = scenarios.load(name)
    simulated = notebook_after_restart(sim.run(scenario))
    real_trace = run_on_kafka(scenario, "local")
    assert real_trace.run_error is None, real_trace.run_error
    real = notebook_after_restart(real_trace)
    assert real == simulated
    assert [len(batches) for _, _, batches in real] == [1]
    source = next(e for e in real_trace.events if e.kind == "producer_state").get("source")
    assert source == "DescribeProducers"


def by_appearance(trace) -> dict[int, str]:
    """P0, P1, ... for the producer ids in the order the run was given them."""
    names: dict[int, str] = {}
    for e in trace.events:
        if e.kind == PRODUCER_ID_ASSIGNED:
            names.setdefault(e.get("producer_id"), f"P{len(names)}")
    return names


def notebook_at_end(trace):
    """The fold's final producer state: (partition, producer by order of appearance, epoch,
    last sequence) per remembered producer."""
    names = by_appearance(trace)
    return sorted(
        (row.partition, names.get(row.producer_id, "?"), row.producer_epoch, row.last_sequence)
        for row in fold(trace.events).producer_state_rows()
    )


def lost_ack_idempotent():
    return scenarios.apply_overrides(scenarios.load("lost-ack"), [("enable.idempotence", True)])


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("shared_local_cluster")
def test_a_real_lost_ack_run_reads_the_brokers_notebook_after_its_decisions():
    scenario = lost_ack_idempotent()
    real = run_on_kafka(scenario, "local")
    assert real.run_error is None, real.run_error
    reads = [e for e in real.events if e.kind == PRODUCER_STATE]
    decisions = [i for i, e in enumerate(real.events) if e.kind == BROKER_DECISION]
    assert reads, "no producer state read during the run"
    assert all(e.get("source") == "DescribeProducers" for e in reads)
    assert all(e.get("reason").startswith("its decision on m") for e in reads)
    assert len(reads) <= len(decisions)  # several decisions during one read: one read after them
    assert real.events.index(reads[0]) > decisions[0]
    last_stored = max(r.sequence for r in real.stored if r.partition == 0)
    assert [p["remembered"][-1][1] for p in reads[-1].get("producers")] == [last_stored]
    simulated = sim.run(scenario)
    assert notebook_at_end(real) == notebook_at_end(simulated) == [(0, "P0", 0, last_stored)]
    # the batches listed are the ones the run saw appended, as the simulator remembers them
    assert [row.batches for row in fold(real.events).producer_state_rows()] == [
        row.batches for row in fold(simulated.events).producer_state_rows()
    ]
    assert "a real broker is asked after each of its decisions" in alt_text.describe(replay.replay(real), 0)


@pytest.mark.timeout(300)
@pytest.mark.usefixtures("shared_local_cluster")
def test_a_run_above_the_bound_reads_no_notebook_during_the_run():
    values = tuple(f"m{i}" for i in range(1, READ_AFTER_EACH_DECISION_UP_TO + 2))
    scenario = replace(lost_ack_idempotent(), steps=(Step("send", values=values), Step("flush")), faults=())
    trace = run_on_kafka(scenario, "local")
    assert trace.run_error is None, trace.run_error
    assert len(trace.stored) == len(values)
    assert [e for e in trace.events if e.kind == PRODUCER_STATE] == []
    assert "a real broker is asked after a broker action" in alt_text.describe(replay.replay(trace), 0)


@pytest.mark.timeout(300)
def test_a_broker_killed_just_after_a_decision_still_ends_the_run_with_its_trace():
    """The first decision's read races the broker's death (SIGKILL from outside): whether
    the read is answered or fails, the run ends as any broker death ends it."""
    scenario = scenarios.from_dict(
        {
            "title": "killed after a decision",
            "broker_config": {"producer.id.expiration.ms": 86400000},  # a cluster of its own
            "producer": {"enable.idempotence": True, "linger.ms": 0},
            "step": [{"send": ["m1"]}, {"flush": True}, {"wait_ms": 20000}, {"send": ["m2"]}, {"flush": True}],
        }
    )
    before = set(launched_pids())

    def kill_after_the_first_decision(seen):
        if seen.kind == BROKER_DECISION:
            for pid in set(launched_pids()) - before:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    trace = run_on_kafka(scenario, "local", on_event=kill_after_the_first_decision)
    assert "stopped unexpectedly" in (trace.run_error or "")
    assert [e.get("value") for e in trace.events if e.kind == PRODUCE_CALLED] == ["m1"]
    assert all(e.get("source") == "DescribeProducers" for e in trace.events if e.kind == PRODUCER_STATE)
