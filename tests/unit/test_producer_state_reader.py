"""The background reader of a real broker's producer state: it never makes the caller
wait, one read follows the decisions that came during a read, and a failed or stuck read
never stops the run."""

from __future__ import annotations

import threading

from idemlab.kafka.producer_state_reader import ProducerStateReader

WAIT_S = 30.0


class GatedRead:
    """A read that records its arguments and waits for the test to let it finish."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, partition: int, broker: int, reason: str) -> None:
        self.calls.append((partition, broker, reason))
        self.started.set()
        assert self.release.wait(WAIT_S)


def test_decisions_that_arrive_during_a_read_are_followed_by_one_read_of_the_latest():
    read = GatedRead()
    reader = ProducerStateReader(read)
    reader.decided(0, 1, "its decision on m1")
    assert read.started.wait(WAIT_S)
    reader.decided(0, 1, "its decision on m2")
    reader.decided(0, 1, "its decision on m3")
    read.release.set()
    assert reader.close()
    assert read.calls == [(0, 1, "its decision on m1"), (0, 1, "its decision on m3")]


def test_each_partition_gets_its_own_read():
    read = GatedRead()
    read.release.set()
    reader = ProducerStateReader(read)
    reader.decided(0, 1, "its decision on m1")
    assert read.started.wait(WAIT_S)
    reader.decided(1, 2, "its decision on m2")
    assert reader.close()
    assert (1, 2, "its decision on m2") in read.calls


def test_a_read_that_fails_is_skipped_and_the_next_one_still_happens():
    calls = []
    failed = threading.Event()

    def read(partition: int, broker: int, reason: str) -> None:
        calls.append(reason)
        if reason == "first":
            failed.set()
            raise ConnectionRefusedError("the broker is down")

    reader = ProducerStateReader(read)
    reader.decided(0, 1, "first")
    assert failed.wait(WAIT_S)
    reader.decided(0, 1, "second")
    assert reader.close()
    assert calls == ["first", "second"]


def test_closing_abandons_a_read_that_does_not_finish_and_ignores_later_decisions():
    read = GatedRead()
    reader = ProducerStateReader(read)
    reader.decided(0, 1, "stuck")
    assert read.started.wait(WAIT_S)
    assert reader.close(timeout_s=0.05) is False
    reader.decided(0, 1, "after the run")
    read.release.set()
    assert reader.close()
    assert read.calls == [(0, 1, "stuck")]
