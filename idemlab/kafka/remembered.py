"""Which batches the real broker remembers for a producer, from what DescribeProducers says.

DescribeProducers names only a producer's epoch and last sequence; the batches behind it are
the ones this run saw the broker append (its decisions, reported by the proxy).  A broker
action (stop, kill, start) is a boundary: Kafka 4.4 rebuilds a producer's entry with only
its last batch, so what came before the action is at most that one batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from idemlab.kafka.describe import ActiveProducer
from idemlab.model import APPENDED, BATCHES_REMEMBERED
from idemlab.timeline import State


def appended(
    state: State, partition: int, producer_id: int, epoch: int, since: int = 0, until: int | None = None
) -> list[list[int]]:
    """[base sequence, last sequence, first offset, last offset] of each batch of this
    producer session the run saw appended to the partition, decided at or after event
    `since` and before event `until`, in the order of the decisions."""
    decided = [
        a
        for a in state.paired_attempts()
        if a.decision is not None and a.decision_position >= since and (until is None or a.decision_position < until)
    ]
    batches = []
    for attempt in sorted(decided, key=lambda a: a.decision_position):
        decision = attempt.decision
        if (
            decision.get("result") == APPENDED
            and decision.get("partition") == partition
            and decision.get("producer_id") == producer_id
            and decision.get("producer_epoch") == epoch
        ):
            count = len(decision.get("values") or ()) or attempt.request.get("record_count") or 1
            first_offset = decision.get("base_offset")
            batches.append(
                [decision.get("base_sequence"), decision.get("last_sequence"), first_offset, first_offset + count - 1]
            )
    return batches


def batches_seen(
    state: State, partition: int, producer: ActiveProducer, since: int = 0, earlier: Sequence[list[int]] = ()
) -> list[list[int]]:
    """The broker's last batches of a producer as this run saw them appended (decided at or
    after event `since`, following `earlier`): those up to the one ending at the broker's
    last sequence, at most BATCHES_REMEMBERED; [[-1, last sequence, -1, -1]] when the run
    never saw that one."""
    seen = [list(batch) for batch in earlier]
    seen += appended(state, partition, producer.producer_id, producer.producer_epoch, since=since)
    ends = [i for i, batch in enumerate(seen) if batch[1] == producer.last_sequence]
    if not ends:
        return [[-1, producer.last_sequence, -1, -1]]
    return seen[max(0, ends[-1] + 1 - BATCHES_REMEMBERED) : ends[-1] + 1]


def remembered_since_action(
    state: State,
    partition: int,
    producer: ActiveProducer,
    since: int,
    reported: Mapping[int, tuple[int, list[list[int]]]] | None,
) -> list[list[int]]:
    """The batches a read after a broker action shows: those the action's report named
    (`reported`, by producer id) or, when the action has no report (its leader did not
    answer in time), the last batch before the action; then those appended since."""
    if reported is None:
        earlier = appended(state, partition, producer.producer_id, producer.producer_epoch, until=since)[-1:]
    else:
        epoch, before = reported.get(producer.producer_id, (None, []))
        earlier = before if epoch == producer.producer_epoch else []
    return batches_seen(state, partition, producer, since, earlier)
