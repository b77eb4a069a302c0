"""The broker's append rules for one partition (reference §1.2-1.3, §11, C9, C10)."""

from idemlab.sim.partition import Batch, PartitionReplica, WireRecord

OOSN = "OUT_OF_ORDER_SEQUENCE_NUMBER"


def batch(pid, epoch, seq, count=1, size=2, partition=0):
    records = tuple(WireRecord(f"v{seq + i}", None, seq + i + 1, size) for i in range(count))
    return Batch(partition, pid, epoch, seq, records, max_timestamp=0.0)


def test_consecutive_batches_are_appended_with_their_offsets():
    log = PartitionReplica(0)
    assert log.append_from_client(batch(7, 0, 0)).base_offset == 0
    assert log.append_from_client(batch(7, 0, 1, count=3)).base_offset == 1
    assert [r.sequence for r in log.records] == [0, 1, 2, 3]


def test_duplicate_of_a_cached_batch_returns_the_original_offset_and_stores_nothing():
    log = PartitionReplica(0)
    for seq in range(6):
        log.append_from_client(batch(7, 0, seq))
    log.append_from_client(batch(7, 0, 6, count=3))
    result = log.append_from_client(batch(7, 0, 6, count=3))
    assert (result.error, result.base_offset, result.duplicate) == (None, 6, True)
    oldest_cached = log.append_from_client(batch(7, 0, 2))
    assert (oldest_cached.error, oldest_cached.base_offset) == (None, 2)
    assert log.log_end_offset == 9


def test_resend_older_than_the_five_cached_batches_is_out_of_order():
    log = PartitionReplica(0)
    for seq in range(6):
        log.append_from_client(batch(7, 0, seq))
    log.append_from_client(batch(7, 0, 6, count=3))
    assert log.append_from_client(batch(7, 0, 1)).error == OOSN
    assert log.log_end_offset == 9


def test_partial_overlap_with_a_cached_batch_is_out_of_order():
    log = PartitionReplica(0)
    log.append_from_client(batch(7, 0, 0, count=6))
    log.append_from_client(batch(7, 0, 6, count=3))
    assert log.append_from_client(batch(7, 0, 7, count=2)).error == OOSN


def test_a_gap_in_sequence_is_out_of_order():
    log = PartitionReplica(0)
    log.append_from_client(batch(7, 0, 0))
    assert log.append_from_client(batch(7, 0, 2)).error == OOSN
    assert log.log_end_offset == 1


def test_sequence_zero_is_not_always_accepted_within_an_epoch():
    log = PartitionReplica(0)
    log.append_from_client(batch(7, 0, 0))
    log.append_from_client(batch(7, 0, 1))
    assert log.append_from_client(batch(7, 0, 0, count=2)).error == OOSN


def test_older_epoch_is_rejected_as_invalid_producer_epoch():
    log = PartitionReplica(0)
    log.append_from_client(batch(7, 1, 0))
    assert log.append_from_client(batch(7, 0, 1)).error == "INVALID_PRODUCER_EPOCH"


def test_resend_of_an_older_epochs_batch_is_not_a_duplicate_hit():
    log = PartitionReplica(0)
    log.append_from_client(batch(7, 1, 0))
    log.append_from_client(batch(7, 2, 0))
    assert log.append_from_client(batch(7, 1, 0)).error == "INVALID_PRODUCER_EPOCH"


def test_new_epoch_must_start_at_sequence_zero_and_clears_the_cache():
    log = PartitionReplica(0)
    log.append_from_client(batch(7, 1, 0))
    assert log.append_from_client(batch(7, 2, 5)).error == OOSN
    assert log.append_from_client(batch(7, 2, 0)).error is None
    assert [b.first_seq for b in log.producers[7].batches] == [0]
    assert log.producers[7].epoch == 2


def test_unknown_producer_may_start_at_any_sequence():
    fresh = PartitionReplica(0)
    assert fresh.append_from_client(batch(99, 0, 42)).error is None
    used = PartitionReplica(0)
    used.append_from_client(batch(7, 0, 0))
    assert used.append_from_client(batch(99, 0, 42)).error is None


def test_sequence_wraps_from_int32_max_to_zero():
    log = PartitionReplica(0)
    log.append_from_client(batch(7, 0, 2**31 - 1))
    assert log.append_from_client(batch(7, 0, 0)).error is None
    other = PartitionReplica(0)
    other.append_from_client(batch(7, 0, 2**31 - 1))
    assert other.append_from_client(batch(7, 0, 1)).error == OOSN


def test_a_batch_may_span_the_sequence_wrap():
    spanning = batch(7, 0, 2**31 - 11, count=21)
    assert spanning.last_sequence == 9
    log = PartitionReplica(0)
    log.append_from_client(spanning)
    assert log.records[-1].sequence == 9
    assert log.append_from_client(batch(7, 0, 10)).error is None


def test_non_idempotent_batches_are_appended_without_checks():
    log = PartitionReplica(0)
    log.append_from_client(batch(-1, -1, -1))
    log.append_from_client(batch(-1, -1, -1))
    assert [r.producer_id for r in log.records] == [-1, -1]
    assert log.producers == {}


def test_oversized_batch_is_rejected_before_producer_state_is_consulted():
    log = PartitionReplica(0, max_message_bytes=1000)
    log.append_from_client(batch(7, 0, 0))
    assert log.append_from_client(batch(7, 0, 5, size=5000)).error == "MSG_SIZE_TOO_LARGE"
    assert log.producers[7].last_seq == 0


def test_any_restart_keeps_only_the_last_batch_per_producer():
    """Clean stop: B15.  Hard kill: observed on a real Kafka 4.4 broker (the reference
    expected 5 batches to be rebuilt)."""
    log = PartitionReplica(0)
    for seq in range(3):
        log.append_from_client(batch(7, 0, seq))
    log.restart()
    assert log.append_from_client(batch(7, 0, 0)).error == OOSN
    assert log.append_from_client(batch(7, 0, 2)).duplicate


def test_producer_expires_by_record_timestamp():
    log = PartitionReplica(0)
    log.append_from_client(Batch(0, 7, 0, 0, (WireRecord("a", None, 1, 1),), max_timestamp=1_000))
    assert log.expire_producers(now_ms=10_999, expiration_ms=10_000) == []
    assert log.expire_producers(now_ms=11_000, expiration_ms=10_000) == [7]
    assert log.append_from_client(Batch(0, 7, 0, 0, (WireRecord("a", None, 1, 1),), 12_000)).error is None
