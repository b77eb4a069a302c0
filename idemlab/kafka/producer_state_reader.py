"""Read the real broker's producer state during a run, off the fault proxy's thread.

The proxy reports each broker decision as it forwards the answer; asking the broker
(DescribeProducers) right there would hold the answer back and change the run.  So a
decision only leaves a note here, and one background thread does the reads: per
partition, the latest note wins, so several decisions that arrive while a read is in
progress are followed by a single read.  What a read finds is the runner's to emit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# Every run the playground or a lesson can make (control_ranges.MAX_MESSAGES is 200)
# gets its notebook read after each decision; larger (bulk, benchmark) runs would gain
# hundreds of reads and notebook steps for nothing, and keep the broker-action reads only.
READ_AFTER_EACH_DECISION_UP_TO = 200
READ_TIMEOUT_S = 3.0  # one read, retried while the partition is not ready
CLOSE_TIMEOUT_S = 10.0  # how long the end of a run waits for the reads still to do


class ProducerStateReader:
    """`decided(partition, broker, reason)` never waits; `read(partition, broker, reason)`
    runs on this reader's thread, one call at a time.  A read that raises is skipped."""

    def __init__(self, read: Callable[[int, int, str], None]) -> None:
        self._read = read
        self._pending: dict[int, tuple[int, str]] = {}  # partition -> (broker, reason) of its latest decision
        self._closing = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="idemlab-producer-state", daemon=True)
        self._thread.start()

    def decided(self, partition: int, broker: int, reason: str) -> None:
        with self._wake:
            if not self._closing:
                self._pending[partition] = (broker, reason)
                self._wake.notify()

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """Do the reads still pending, then stop; False if they were abandoned after
        `timeout_s` (the thread ends on its own, its reads left unused by the runner)."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closing:
                    self._wake.wait()
                if not self._pending:
                    return
                partition = next(iter(self._pending))
                broker, reason = self._pending.pop(partition)
            try:
                self._read(partition, broker, reason)
            except Exception:  # a read that fails is skipped, never a run error
                log.debug("producer state read of partition %s failed", partition, exc_info=True)
