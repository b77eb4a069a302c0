import random

import pytest

from idemlab.fault_plan import FaultPlan
from idemlab.model import DELAY, DROP_REQUEST, DROP_RESPONSE, ERROR, INIT_PRODUCER_ID, PRODUCE, Fault


def decisions(plan: FaultPlan, kinds: list[str]) -> list[tuple[int, Fault | None]]:
    return [plan.decide(kind) for kind in kinds]


def test_no_faults_counts_each_kind_from_one():
    plan = FaultPlan([])
    got = decisions(plan, [PRODUCE, PRODUCE, INIT_PRODUCER_ID, PRODUCE])
    assert got == [(1, None), (2, None), (1, None), (3, None)]
    assert plan.count(PRODUCE) == 3 and plan.count(INIT_PRODUCER_ID) == 1


def test_nth_matches_exactly_that_ordinal_of_its_kind():
    fault = Fault(request=PRODUCE, action=DROP_RESPONSE, nth=2)
    plan = FaultPlan([fault])
    got = decisions(plan, [INIT_PRODUCER_ID, PRODUCE, INIT_PRODUCER_ID, PRODUCE, PRODUCE])
    assert [f for _, f in got] == [None, None, None, fault, None]


def test_fault_for_init_producer_id_ignores_produce_requests():
    fault = Fault(request=INIT_PRODUCER_ID, action=ERROR, nth=1, error="COORDINATOR_LOAD_IN_PROGRESS")
    plan = FaultPlan([fault])
    assert plan.decide(PRODUCE) == (1, None)
    assert plan.decide(INIT_PRODUCER_ID) == (1, fault)


def test_first_matching_fault_wins():
    first = Fault(action=DROP_REQUEST, nth=1)
    second = Fault(action=DELAY, nth=1, delay_ms=100)
    assert FaultPlan([first, second]).decide(PRODUCE) == (1, first)


def test_probability_follows_its_own_seeded_stream():
    fault = Fault(action=DROP_RESPONSE, probability=0.3, seed=42)
    plan = FaultPlan([fault])
    stream = random.Random(42)
    expected = [stream.random() < 0.3 for _ in range(200)]
    got = [plan.decide(PRODUCE)[1] is fault for _ in range(200)]
    assert got == expected
    assert 20 < sum(got) < 100


def test_probability_seed_defaults_to_zero_and_is_deterministic():
    fault = Fault(action=DROP_RESPONSE, probability=0.5)
    runs = [[plan.decide(PRODUCE)[1] for _ in range(50)] for plan in (FaultPlan([fault]), FaultPlan([fault]))]
    plan_zero = FaultPlan([Fault(action=DROP_RESPONSE, probability=0.5, seed=0)])
    assert runs[0] == runs[1]
    assert [f is not None for f in runs[0]] == [plan_zero.decide(PRODUCE)[1] is not None for _ in range(50)]


def test_probabilistic_stream_draws_even_when_an_earlier_fault_wins():
    always_first = Fault(action=DROP_REQUEST, nth=1)
    random_fault = Fault(action=DROP_RESPONSE, probability=0.5, seed=7)
    alone = FaultPlan([random_fault])
    combined = FaultPlan([always_first, random_fault])
    alone_hits = [alone.decide(PRODUCE)[1] is random_fault for _ in range(30)]
    combined_hits = [combined.decide(PRODUCE)[1] for _ in range(30)]
    assert combined_hits[0] is always_first
    assert [f is random_fault for f in combined_hits[1:]] == alone_hits[1:]


def test_probability_draws_once_per_request_of_its_kind_only():
    fault = Fault(action=DROP_RESPONSE, probability=0.5, seed=3)
    interleaved = FaultPlan([fault])
    got = []
    for _ in range(40):
        interleaved.decide(INIT_PRODUCER_ID)
        got.append(interleaved.decide(PRODUCE)[1] is fault)
    plain = FaultPlan([fault])
    assert got == [plain.decide(PRODUCE)[1] is fault for _ in range(40)]


def test_nth_and_probability_together_need_both():
    never = Fault(action=DROP_RESPONSE, nth=2, probability=0.0)
    always = Fault(action=DROP_RESPONSE, nth=2, probability=1.0)
    assert [f for _, f in decisions(FaultPlan([never]), [PRODUCE] * 3)] == [None, None, None]
    assert [f for _, f in decisions(FaultPlan([always]), [PRODUCE] * 3)] == [None, always, None]


def test_fault_without_nth_or_probability_never_matches():
    plan = FaultPlan([Fault(action=DROP_RESPONSE)])
    assert all(f is None for _, f in decisions(plan, [PRODUCE] * 5))


@pytest.mark.parametrize("seed", [0, 1, 99])
def test_same_plan_same_decisions(seed):
    faults = [Fault(action=DROP_RESPONSE, nth=3), Fault(action=DELAY, probability=0.25, seed=seed, delay_ms=5)]
    kinds = [PRODUCE, INIT_PRODUCER_ID] * 25
    assert decisions(FaultPlan(faults), kinds) == decisions(FaultPlan(faults), kinds)
