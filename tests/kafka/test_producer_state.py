"""The broker's notebook after a restart comes from each back end, and they agree.

The simulator emits what its rules kept; the real back end asks the restarted broker
(DescribeProducers).  The timeline only folds those events, so both views show one
remembered batch per producer after a stop and after a kill (Kafka 4.4).
"""

from __future__ import annotations

import pytest

from idemlab import scenarios, sim
from idemlab.kafka.runner import run_on_kafka
from idemlab.timeline import snapshot

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
