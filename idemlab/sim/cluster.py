"""Simulated brokers: partition replicas, leadership, producer-id allocation, restarts.

Producer ids come from blocks of 1000 handed to each broker process by the controller
(P3): a fresh cluster's first producer gets 0, the next 1, ...  A restarted broker
process starts with no block, so its first InitProducerId is answered
COORDINATOR_LOAD_IN_PROGRESS while it fetches the next block (P4, P5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from idemlab import errors
from idemlab.model import StoredRecord
from idemlab.sim.partition import AppendResult, Batch, LogColumns, PartitionReplica, StoredLog

PRODUCER_ID_BLOCK = 1000
REPLICA_FETCH_MS = 5.0  # followers fetch shortly after the leader appends
DEFAULT_EXPIRATION_MS = 86_400_000
DEFAULT_EXPIRATION_CHECK_MS = 600_000


@dataclass
class SimBroker:
    broker_id: int
    replicas: dict[int, PartitionReplica] = field(default_factory=dict)
    up: bool = True
    pid_block: tuple[int, int] | None = None  # (next id, end of block)


class SimCluster:
    def __init__(
        self, brokers: int, partitions: int, replication_factor: int, topic_config: dict, broker_config: dict
    ) -> None:
        max_bytes = int(topic_config.get("max.message.bytes", 1_048_588))
        self.min_insync = int(topic_config.get("min.insync.replicas", 2 if brokers == 3 else 1))
        self.expiration_ms = int(broker_config.get("producer.id.expiration.ms", DEFAULT_EXPIRATION_MS))
        self.expiration_check_ms = int(
            broker_config.get("producer.id.expiration.check.interval.ms", DEFAULT_EXPIRATION_CHECK_MS)
        )
        self.brokers = {i: SimBroker(i) for i in range(1, brokers + 1)}
        self.partitions = partitions
        self.replica_ids: dict[int, list[int]] = {}
        self.leader: dict[int, int | None] = {}
        for p in range(partitions):
            ids = [((p + k) % brokers) + 1 for k in range(replication_factor)]
            self.replica_ids[p] = ids
            self.leader[p] = ids[0]
            for broker_id in ids:
                self.brokers[broker_id].replicas[p] = PartitionReplica(p, max_message_bytes=max_bytes)
        self.next_block_start = 0

    # ---- producer ids -------------------------------------------------------------
    def init_producer_id(self, broker_id: int) -> tuple[str | None, int]:
        broker = self.brokers[broker_id]
        if broker.pid_block is None or broker.pid_block[0] >= broker.pid_block[1]:
            start = self.next_block_start
            self.next_block_start += PRODUCER_ID_BLOCK
            fetched_now = broker.pid_block is None
            broker.pid_block = (start, start + PRODUCER_ID_BLOCK)
            if fetched_now:
                return errors.COORDINATOR_LOAD_IN_PROGRESS, -1
        next_id, end = broker.pid_block
        broker.pid_block = (next_id + 1, end)
        return None, next_id

    # ---- produce ------------------------------------------------------------------
    def leader_of(self, partition: int) -> int | None:
        return self.leader[partition]

    def produce(self, broker_id: int, batch: Batch, schedule=None) -> AppendResult:
        """Append on the leader.  Followers fetch REPLICA_FETCH_MS later (through
        `schedule(delay, action)`); without a scheduler they copy at once."""
        if self.leader[batch.partition] != broker_id:
            return AppendResult("NOT_LEADER_FOR_PARTITION")
        in_sync = [b for b in self.replica_ids[batch.partition] if self.brokers[b].up]
        if len(self.replica_ids[batch.partition]) > 1 and len(in_sync) < self.min_insync:
            return AppendResult("NOT_ENOUGH_REPLICAS")
        leader = self.brokers[broker_id].replicas[batch.partition]
        before = leader.log_end_offset
        result = leader.append_from_client(batch)
        if result.error is None and not result.duplicate:
            appended = leader.log.tail(before)
            followers = [b for b in in_sync if b != broker_id]
            if schedule is None:
                self._replicate(broker_id, followers, appended, batch)
            elif followers:
                schedule(REPLICA_FETCH_MS, self._replicate, broker_id, followers, appended, batch)
        return result

    @property
    def replication_delay_ms(self) -> float:
        return REPLICA_FETCH_MS if any(len(ids) > 1 for ids in self.replica_ids.values()) else 0.0

    def _replicate(self, leader_id: int, followers: list[int], appended: LogColumns, batch: Batch) -> None:
        """A follower fetch; a leader that died first never hands the batch on (C18b)."""
        if not self.brokers[leader_id].up:
            return
        for follower_id in followers:
            follower = self.brokers[follower_id]
            if follower.up:
                follower.replicas[batch.partition].append_replicated(appended, batch)

    # ---- operations ---------------------------------------------------------------
    def stop(self, broker_id: int) -> None:
        """A clean stop and a hard kill end alike: see PartitionReplica.restart."""
        broker = self.brokers[broker_id]
        if not broker.up:
            return
        broker.up = False
        broker.pid_block = None
        for replica in broker.replicas.values():
            replica.restart()
        for p, leader in self.leader.items():
            if leader == broker_id:
                self.leader[p] = self._next_leader(p, exclude=broker_id)

    def start(self, broker_id: int) -> None:
        broker = self.brokers[broker_id]
        if broker.up:
            return
        broker.up = True
        for p, replica in broker.replicas.items():
            leader = self.leader[p]
            if leader is None:
                self.leader[p] = broker_id
            elif leader != broker_id:
                self._catch_up(replica, self.brokers[leader].replicas[p])

    def change_leader(self, partition: int) -> None:
        current = self.leader[partition]
        nxt = self._next_leader(partition, exclude=current)
        if nxt is not None:
            self.leader[partition] = nxt

    def _next_leader(self, partition: int, exclude: int | None) -> int | None:
        for broker_id in self.replica_ids[partition]:
            if broker_id != exclude and self.brokers[broker_id].up:
                return broker_id
        return None

    @staticmethod
    def _catch_up(follower: PartitionReplica, leader: PartitionReplica) -> None:
        """A returning follower truncates to the leader's log and copies its state (B16)."""
        follower.log = leader.log.copy()
        follower.producers = {pid: e.copy() for pid, e in leader.producers.items()}
        follower.ever_written = leader.ever_written

    def expire_producers(self, now_ms: float) -> list[tuple[int, int]]:
        expired = []
        for broker in self.brokers.values():
            if broker.up:
                for replica in broker.replicas.values():
                    for pid in replica.expire_producers(now_ms, self.expiration_ms):
                        expired.append((replica.partition, pid))
        return expired

    # ---- views --------------------------------------------------------------------
    def stored(self) -> list[StoredRecord]:
        out: list[StoredRecord] = []
        for p in range(self.partitions):
            owner = self.leader[p] or self.replica_ids[p][0]
            out.extend(self.brokers[owner].replicas[p].records)
        return out

    def stored_view(self) -> StoredLog:
        return StoredLog(
            [
                (p, self.brokers[self.leader[p] or self.replica_ids[p][0]].replicas[p].log)
                for p in range(self.partitions)
            ]
        )

    def producer_state(self, partition: int):
        """The notebook of the replica a view shows: the leader's, or while there is
        none, the first replica's."""
        owner = self.leader[partition] or self.replica_ids[partition][0]
        return self.brokers[owner].replicas[partition].producers
