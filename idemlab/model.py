"""The shared vocabulary: scenarios, fault plans, trace events, stored records, traces.

Both back ends (the simulator and a real broker) turn a Scenario into a Trace; every
view is a pure function of a Trace.  Everything here is plain data that converts to
JSON and to pandas without surprises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

PRODUCE = "produce"
INIT_PRODUCER_ID = "init_producer_id"
REQUEST_KINDS = (PRODUCE, INIT_PRODUCER_ID)

DROP_RESPONSE = "drop_response"
DROP_REQUEST = "drop_request"
ERROR = "error"
DELAY = "delay"
DISCONNECT = "disconnect"
FAULT_ACTIONS = (DROP_RESPONSE, DROP_REQUEST, ERROR, DELAY, DISCONNECT)

BROKER_ACTIONS = ("stop", "kill", "start", "leader_change")

NO_PRODUCER_ID = -1
# Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN: a broker remembers the last 5 batches
# per producer per partition; fixed, not configurable.
BATCHES_REMEMBERED = 5
INT32_MAX = 2**31 - 1  # sequence numbers are int32 and wrap from here to 0; also librdkafka's "unlimited"
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Fault:
    """Something that goes wrong with one request on the wire.

    Addressed by request kind and ordinal (`nth`, 1-based, retries counted), or random
    with `probability` and `seed`.
    """

    request: str = PRODUCE
    action: str = DROP_RESPONSE
    nth: int | None = None
    error: str | None = None
    delay_ms: int | None = None
    probability: float | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Step:
    """One application or operator action, in scenario order.

    kind is one of: send, flush, restart_producer, wait, broker.
    """

    kind: str
    values: tuple[str, ...] = ()
    key: str | None = None
    partition: int | None = None
    pad_to: int | None = None  # send: each value padded to this many bytes on the wire
    wait_ms: int = 0
    broker: str | None = None
    broker_id: int | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    summary: str = ""
    partitions: int = 1
    brokers: int = 1
    replication_factor: int = 1
    producer: Mapping[str, Any] = field(default_factory=dict)
    topic: Mapping[str, Any] = field(default_factory=dict)
    broker_config: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    faults: tuple[Fault, ...] = ()
    seed: int = 0
    source: str = ""
    racy: str = ""  # `[real_broker] racy = "..."`: the real outcome is known to vary
    client: str = "librdkafka"  # the producer client it runs with (idemlab.clients: librdkafka or java)

    @property
    def idempotent(self) -> bool:
        from idemlab.producer_config import as_bool  # the config module imports this one

        return as_bool(self.producer.get("enable.idempotence", False))


# ---- trace events -------------------------------------------------------------------
# The documented event vocabulary: every back end emits these and only these, and every
# view folds them.  `detail` holds plain JSON values; the keys of each kind are listed
# beside it, so back ends, views and tests agree on them.  A rule of Kafka's (what the
# broker keeps, when it forgets) is applied by the back end, which then *emits* its
# result; no view re-derives one.
#
# PRODUCE_CALLED     msg, value, key, partition
# PRODUCE_REFUSED    msg, value, key, error, message
# REQUEST_SENT       api, request_no, attempt, broker, partition, producer_id,
#                    producer_epoch, base_sequence, record_count, msgs, values
# FAULT_INJECTED     api, request_no, action, error, delay_ms
# BROKER_DECISION    request_no, broker, partition, result (appended | duplicate |
#                    rejected), base_offset, error, producer_id, producer_epoch,
#                    base_sequence, last_sequence, msgs, values, inferred (real broker),
#                    remembered (appended and duplicate: the broker's notebook for this
#                    producer on this partition after the decision, as REMEMBERED rows)
# RESPONSE_RECEIVED  api, request_no, partition, error, base_offset; producer_id,
#                    producer_epoch (InitProducerId)
# CONNECTION_CLOSED  broker, reason
# DELIVERY_REPORT    msg, value, partition, offset, error
# PRODUCER_ID_ASSIGNED  producer_id, producer_epoch
# EPOCH_BUMP         producer_id, from_epoch, to_epoch, reason
# FATAL_ERROR        error, message
# PRODUCER_RESTART   old_producer_id
# BROKER_ACTION      action, broker_id
# PRODUCER_STATE     partition, producers ([{producer_id, producer_epoch, remembered}]),
#                    reason, source: the whole notebook of one partition after a broker
#                    stopped, was killed, came back or handed leadership on; it replaces
#                    what a view knew of that partition
# PRODUCER_EXPIRED   partition, producer_id (the broker forgot it)
# FLUSH              final (the run's closing flush)
# WAIT               wait_ms
# RUN_ERROR          message
PRODUCE_CALLED = "produce"
PRODUCE_REFUSED = "produce_refused"
REQUEST_SENT = "request"
FAULT_INJECTED = "fault"
BROKER_DECISION = "broker"
RESPONSE_RECEIVED = "response"
CONNECTION_CLOSED = "disconnected"
DELIVERY_REPORT = "delivery"
PRODUCER_ID_ASSIGNED = "producer_id"
EPOCH_BUMP = "epoch_bump"
FATAL_ERROR = "fatal"
PRODUCER_RESTART = "producer_restart"
BROKER_ACTION = "broker_action"
PRODUCER_STATE = "producer_state"
PRODUCER_EXPIRED = "producer_expired"
FLUSH = "flush"
WAIT = "wait"
RUN_ERROR = "run_error"

# One remembered batch: [first_sequence, last_sequence, first_offset, last_offset].
REMEMBERED_FIELDS = ("first_sequence", "last_sequence", "first_offset", "last_offset")

APPENDED = "appended"
DUPLICATE = "duplicate"
REJECTED = "rejected"


class Event(NamedTuple):
    t_ms: float
    kind: str
    detail: Mapping[str, Any] = _EMPTY

    def get(self, key: str, default: Any = None) -> Any:
        return self.detail.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        return {"t_ms": round(self.t_ms, 3), "kind": self.kind, **dict(self.detail)}


class StoredRecord(NamedTuple):
    """A record in a partition log.  `msg` is the 1-based number of the produce() call
    that created it, so copies of one message can be told from equal values."""

    partition: int
    offset: int
    value: str
    key: str | None
    producer_id: int
    producer_epoch: int
    sequence: int
    msg: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


@dataclass(frozen=True)
class Delivery:
    """The delivery report the application saw for one produce() call."""

    msg: int
    value: str
    partition: int | None
    offset: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Trace:
    scenario: str
    backend: str
    config: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    stored: list[StoredRecord] = field(default_factory=list)
    fatal_error: str | None = None
    run_error: str | None = None
    message_counts: dict[str, int] | None = None  # only when per-message events were left out
    stored_known: bool = True  # False: the stored log could not be read back (a real broker died)

    @property
    def deliveries(self) -> list[Delivery]:
        return deliveries_until(self.events, len(self.events))

    @property
    def sent(self) -> list[Event]:
        return [e for e in self.events if e.kind == PRODUCE_CALLED]


def deliveries_until(events: list[Event], position: int) -> list[Delivery]:
    """One Delivery per produce() call, in produce order; a call without a report yet
    has error '(no report)' only once the run has ended without one."""
    reports: dict[int, Event] = {}
    produced: list[Event] = []
    for event in events[:position]:
        if event.kind == PRODUCE_CALLED:
            produced.append(event)
        elif event.kind == DELIVERY_REPORT:
            reports.setdefault(event.get("msg"), event)
    result = []
    for call in produced:
        report = reports.get(call.get("msg"))
        if report is None:
            result.append(Delivery(call.get("msg"), call.get("value"), call.get("partition"), None, NO_REPORT))
        else:
            result.append(
                Delivery(
                    call.get("msg"),
                    call.get("value"),
                    report.get("partition"),
                    report.get("offset"),
                    report.get("error"),
                )
            )
    return result


NO_REPORT = "(no report)"
