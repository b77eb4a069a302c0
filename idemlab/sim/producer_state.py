"""The broker's memory of each producer on one partition (Kafka's ProducerStateEntry).

Kafka keeps, per partition and producer id: the current epoch and the metadata of the
last 5 batches of that epoch (NUM_BATCHES_TO_RETAIN, not configurable).  This is the
post office's notebook in the lessons' analogy; in code it is the producer state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from idemlab.model import BATCHES_REMEMBERED, INT32_MAX, sequence_at

SEQ_MAX = INT32_MAX


def last_sequence(base_sequence: int, record_count: int) -> int:
    """The last sequence of a batch (DefaultRecordBatch.incrementSequence wraps it)."""
    return sequence_at(base_sequence, record_count - 1)


@dataclass(frozen=True)
class BatchMetadata:
    first_seq: int
    last_seq: int
    first_offset: int
    last_offset: int
    max_timestamp: float


@dataclass
class ProducerEntry:
    epoch: int
    batches: list[BatchMetadata] = field(default_factory=list)
    last_timestamp: float = -1.0

    @property
    def last_seq(self) -> int:
        return self.batches[-1].last_seq if self.batches else -1

    def find_duplicate(self, epoch: int, first_seq: int, last_seq: int) -> BatchMetadata | None:
        if epoch != self.epoch:
            return None
        for batch in self.batches:
            if batch.first_seq == first_seq and batch.last_seq == last_seq:
                return batch
        return None

    def add(self, epoch: int, batch: BatchMetadata) -> None:
        if epoch != self.epoch:
            self.batches.clear()
            self.epoch = epoch
        self.batches.append(batch)
        if len(self.batches) > BATCHES_REMEMBERED:
            del self.batches[0]
        self.last_timestamp = batch.max_timestamp

    def remembered(self) -> list[list[int]]:
        """The notebook as the trace carries it (model.REMEMBERED_FIELDS per batch)."""
        return [[b.first_seq, b.last_seq, b.first_offset, b.last_offset] for b in self.batches]

    def keep_last(self, count: int) -> None:
        del self.batches[:-count]

    def copy(self) -> ProducerEntry:
        return ProducerEntry(self.epoch, list(self.batches), self.last_timestamp)
