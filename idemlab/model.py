"""The shared vocabulary: scenarios, fault plans, trace events, stored records, traces.

Both back ends (the simulator and a real broker) turn a Scenario into a Trace; every
view is a pure function of a Trace.  Everything here is plain data that converts to
JSON and to pandas without surprises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

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
# The event vocabulary: every back end emits these and only these, and every view folds
# them (idemlab.timeline.step).  Each kind is a frozen dataclass below, so a back end that
# names a field wrongly or leaves a required one out fails where it builds the event; the
# conformance test checks that both back ends emit only these classes.  A rule of Kafka's
# (what the broker keeps, when it forgets) is applied by the back end, which then *emits*
# its result; no view re-derives one.
#
# A detail also reads like the plain mapping it used to be (`event.get("error")`,
# `dict(event.detail)`, the JSON keys): an optional field left at None is absent, as the
# back ends that do not know it (the simulator has no topic; a bulk run carries no values)
# always left it out.
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

# The broker's memory of each producer is its *producer state* in code (PRODUCER_STATE,
# timeline.ProducerStateRow; `remembered` lists its batches); "notebook" is the lessons'
# analogy word and appears only in prose.
# One remembered batch: [first_sequence, last_sequence, first_offset, last_offset].
REMEMBERED_FIELDS = ("first_sequence", "last_sequence", "first_offset", "last_offset")

APPENDED = "appended"
DUPLICATE = "duplicate"
REJECTED = "rejected"


def sequence_at(base_sequence: int, delta: int) -> int:
    """The sequence `delta` records after `base_sequence`: Kafka's sequences are int32 and
    wrap from INT32_MAX to 0 (DefaultRecordBatch.incrementSequence); -1 (none) stays -1."""
    if base_sequence < 0:
        return base_sequence
    return (base_sequence + delta) % (INT32_MAX + 1)


def sequences_from(base_sequence: int, count: int) -> list[int] | range:
    """[sequence_at(base_sequence, i) for i in range(count)], without a call per record
    when the batch does not wrap."""
    if base_sequence < 0:
        return [base_sequence] * count
    if base_sequence + count - 1 <= INT32_MAX:
        return range(base_sequence, base_sequence + count)
    return [sequence_at(base_sequence, i) for i in range(count)]


class Detail:
    """What every event kind shares: read-only mapping access to its fields."""

    __slots__ = ()
    KIND: ClassVar[str] = ""
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()  # absent from the mapping while None
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.FIELDS:
            value = getattr(self, key)
            if value is not None or key not in self.OPTIONAL:
                return value
        return default

    def __getitem__(self, key: str) -> Any:
        if key in self.FIELDS:
            value = getattr(self, key)
            if value is not None or key not in self.OPTIONAL:
                return value
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.FIELDS and (key not in self.OPTIONAL or getattr(self, key) is not None)

    def keys(self) -> list[str]:
        optional = self.OPTIONAL
        return [n for n in self.FIELDS if n not in optional or getattr(self, n) is not None]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def items(self) -> list[tuple[str, Any]]:
        return [(n, getattr(self, n)) for n in self.keys()]

    def as_dict(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in self.keys()}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Detail | Mapping):
            return type(other) in (type(self), dict) and self.as_dict() == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.items())})"


EVENT_KINDS: dict[str, type[Detail]] = {}


def _kind(kind: str, optional: tuple[str, ...] = ()):
    """Register a frozen dataclass as the fields of one event kind."""

    def register(cls):
        cls = dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
        cls.KIND = kind
        cls.OPTIONAL = frozenset(optional)
        cls.FIELDS = tuple(f.name for f in fields(cls))
        EVENT_KINDS[kind] = cls
        return cls

    return register


@_kind(PRODUCE_CALLED)
class ProduceCalled(Detail):
    msg: int  # the 1-based number of the produce() call
    value: str
    key: str | None
    partition: int  # -1: the client picks it


@_kind(PRODUCE_REFUSED, optional=("partition",))
class ProduceRefused(Detail):
    msg: int
    value: str
    key: str | None
    error: str
    message: str
    partition: int | None = None


@_kind(
    REQUEST_SENT,
    optional=(
        "partition",
        "producer_id",
        "producer_epoch",
        "base_sequence",
        "last_sequence",
        "record_count",
        "msgs",
        "values",
        "topic",
        "partitions_in_request",
    ),
)
class RequestSent(Detail):
    """A request on the wire; a Produce request's batch for one partition (a request for
    several partitions is one event per partition, with the same request_no)."""

    api: str  # PRODUCE or INIT_PRODUCER_ID
    request_no: int  # the nth request of its api, retries counted (what a Fault's nth names)
    broker: int
    attempt: int = 1  # 1 for a batch's first send, 2 for its first retry, ...
    partition: int | None = None
    producer_id: int | None = None  # NO_PRODUCER_ID without idempotence
    producer_epoch: int | None = None
    base_sequence: int | None = None
    last_sequence: int | None = None
    record_count: int | None = None
    msgs: list[int | None] | None = None  # left out by a bulk run, like the values
    values: list[str | None] | None = None
    topic: str | None = None
    partitions_in_request: int | None = None


@_kind(FAULT_INJECTED, optional=("broker",))
class FaultInjected(Detail):
    api: str
    request_no: int
    action: str  # one of FAULT_ACTIONS
    error: str | None
    delay_ms: int | None
    broker: int | None = None


@_kind(BROKER_DECISION, optional=("msgs", "values", "remembered", "topic", "inferred"))
class BrokerDecision(Detail):
    """What the broker did with one partition's batch.  `remembered`: after an appended or
    duplicate decision, the broker's producer state for this producer on this partition
    (REMEMBERED_FIELDS per batch), when the back end knows it (the simulator does; the real
    broker answers DescribeProducers in a PRODUCER_STATE event of its own, see there).  `inferred`: the real
    back end told appended from duplicate by the offsets it saw returned."""

    request_no: int
    broker: int
    partition: int
    result: str  # APPENDED, DUPLICATE or REJECTED
    base_offset: int
    error: str | None
    producer_id: int
    producer_epoch: int
    base_sequence: int
    last_sequence: int
    msgs: list[int | None] | None = None
    values: list[str | None] | None = None
    remembered: list[list[int]] | None = None
    topic: str | None = None
    inferred: bool | None = None


@_kind(RESPONSE_RECEIVED, optional=("partition", "base_offset", "producer_id", "producer_epoch", "broker", "topic"))
class ResponseReceived(Detail):
    """An answer that reached the client: Produce (partition, base_offset) or
    InitProducerId (producer_id, producer_epoch)."""

    api: str
    request_no: int
    error: str | None
    partition: int | None = None
    base_offset: int | None = None
    producer_id: int | None = None
    producer_epoch: int | None = None
    broker: int | None = None
    topic: str | None = None


@_kind(CONNECTION_CLOSED)
class ConnectionClosed(Detail):
    broker: int
    reason: str


@_kind(DELIVERY_REPORT, optional=("implicit_ack", "message"))
class DeliveryReport(Detail):
    msg: int
    value: str | None
    partition: int | None
    offset: int | None  # None: not reported (acknowledged implicitly by a later answer)
    error: str | None
    implicit_ack: bool | None = None
    message: str | None = None  # the client's text for the error (the Java exception's message)


@_kind(PRODUCER_ID_ASSIGNED)
class ProducerIdAssigned(Detail):
    producer_id: int
    producer_epoch: int


@_kind(EPOCH_BUMP)
class EpochBump(Detail):
    producer_id: int
    from_epoch: int
    to_epoch: int
    reason: str


@_kind(FATAL_ERROR)
class FatalError(Detail):
    error: str
    message: str


@_kind(PRODUCER_RESTART)
class ProducerRestart(Detail):
    old_producer_id: int


@_kind(BROKER_ACTION)
class BrokerAction(Detail):
    action: str  # one of BROKER_ACTIONS
    broker_id: int


@_kind(PRODUCER_STATE)
class ProducerState(Detail):
    """The broker's whole producer state for one partition after it stopped, was killed,
    came back or handed leadership on, and on a real broker also after a decision of a
    small run (read in the background, so it may follow the decision by a few events); it
    replaces what a view knew of that partition.
    `producers`: [{producer_id, producer_epoch, remembered}]; `source`: the simulator's
    rules or the real broker's DescribeProducers answer."""

    partition: int
    producers: list[dict[str, Any]]
    reason: str
    source: str


@_kind(PRODUCER_EXPIRED)
class ProducerExpired(Detail):
    """The broker forgot a producer (producer.id.expiration.ms)."""

    partition: int
    producer_id: int


@_kind(FLUSH, optional=("final",))
class Flush(Detail):
    final: bool | None = None  # True: the run's closing flush


@_kind(WAIT, optional=("capped_from_ms",))
class Wait(Detail):
    wait_ms: int
    capped_from_ms: int | None = None  # a real broker's wait is capped (MAX_WAIT_MS)


@_kind(RUN_ERROR)
class RunError(Detail):
    message: str


class Event(NamedTuple):
    t_ms: float
    kind: str
    detail: Mapping[str, Any] | Detail = _EMPTY

    @classmethod
    def of(cls, t_ms: float, detail: Detail) -> Event:
        return cls(t_ms, detail.KIND, detail)

    def get(self, key: str, default: Any = None) -> Any:
        return self.detail.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail
        fields_ = detail.as_dict() if isinstance(detail, Detail) else dict(detail)
        return {"t_ms": round(self.t_ms, 3), "kind": self.kind, **fields_}


def event(t_ms: float, kind: str, **fields_: Any) -> Event:
    """An event of `kind` with its typed detail; a wrong or missing field is a TypeError."""
    return Event(t_ms, kind, EVENT_KINDS[kind](**fields_))


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


@dataclass(frozen=True, slots=True)
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
        """One Delivery per produce() call, in call order (idemlab.timeline folds them)."""
        from idemlab.timeline import fold  # the fold reads this module

        return fold(self.events).deliveries()

    @property
    def sent(self) -> list[Event]:
        return [e for e in self.events if e.kind == PRODUCE_CALLED]


NO_REPORT = "(no report)"
