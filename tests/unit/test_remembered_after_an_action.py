"""What a read of the real broker's notebook shows after a broker action, worked out on a
trace the simulator made (the real runner applies the same function to its own trace)."""

from idemlab import scenarios, sim
from idemlab.kafka.describe import ActiveProducer
from idemlab.kafka.remembered import remembered_since_action
from idemlab.timeline import fold


def broker_kill_until_the_retries():
    """The broker-kill run folded up to its restart, and the position just after it."""
    events = sim.run(scenarios.load("broker-kill")).events
    start = next(i for i, e in enumerate(events) if e.kind == "broker_action" and e.get("action") == "start")
    return fold(events[: start + 1]), start + 1


def test_a_read_after_a_restart_without_its_own_report_shows_only_the_last_batch_kept():
    state, after_start = broker_kill_until_the_retries()
    producer = ActiveProducer(producer_id=0, producer_epoch=0, last_sequence=3)
    remembered = remembered_since_action(state, 0, producer, after_start, reported=None)
    assert [batch[:2] for batch in remembered] == [[3, 3]]


def test_a_read_after_a_restart_follows_the_batches_its_report_named():
    state, after_start = broker_kill_until_the_retries()
    producer = ActiveProducer(producer_id=0, producer_epoch=0, last_sequence=3)
    reported = {0: (0, [[3, 3, 3, 3]])}
    assert remembered_since_action(state, 0, producer, after_start, reported) == [[3, 3, 3, 3]]


def test_a_read_with_no_action_before_it_shows_every_batch_up_to_the_last_sequence():
    state, _ = broker_kill_until_the_retries()
    producer = ActiveProducer(producer_id=0, producer_epoch=0, last_sequence=3)
    remembered = remembered_since_action(state, 0, producer, 0, reported={})
    assert [batch[1] for batch in remembered] == [0, 1, 2, 3]


def test_a_batch_of_another_epoch_is_not_carried_across_the_action():
    state, after_start = broker_kill_until_the_retries()
    bumped = ActiveProducer(producer_id=0, producer_epoch=1, last_sequence=3)
    assert remembered_since_action(state, 0, bumped, after_start, reported=None) == [[-1, 3, -1, -1]]
