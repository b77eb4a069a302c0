"""The one fold of a trace: `step(state, event) -> state`, and what each state knows.

A trace is the complete, ordered record of a run, so stepping back and forth needs no
hidden state: the state after `position` events is `fold(events[:position])`, and every
view (the mail room's frames, its text alternative, the tables, the outcome, the story
and the key moments) reads states made here.  No other module walks the events to
rebuild what happened (tests/unit/test_layers.py says so).

`step` is pure: it returns a new State and never changes the one it is given.  What
grows with the run (the stored log, the produce() calls, the delivery reports, the
produce attempts) lives in append-only logs that a state shares with the states after
it; each state sees only its own prefix, so folding a whole trace is O(n) and an old
state stays valid.  Each produce attempt is paired with its fault, the broker's
decision and the answer, as they happen.

This module only folds events: what the broker remembers comes from the back end's own
`remembered` and PRODUCER_STATE events (model.py), never from Kafka's rules re-applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

from idemlab import model as m
from idemlab.model import Delivery, Event, StoredRecord, Trace
from idemlab.outcome import Outcome, summarize_parts


class _Log:
    """An append-only sequence shared by the states of one fold: a state sees its first
    `n` entries.  Appending at the end of the shared list is O(1); appending to an older
    state's log (a fork) copies its prefix first, so no state ever sees another's entries.
    Entries may be found by key: the first and the latest visible entry with that key."""

    __slots__ = ("_first", "_items", "_keys", "_latest", "n")

    def __init__(self, items=None, keys=None, first=None, latest=None, n: int = 0) -> None:
        self._items: list = [] if items is None else items
        self._keys: list = [] if keys is None else keys  # per entry: None, its key, or _Keys
        self._first: dict = {} if first is None else first
        self._latest: dict = {} if latest is None else latest
        self.n = n

    def append(self, item: Any, key: Any = None) -> _Log:
        """The log with one more entry, found by `key` when it is not None."""
        n = self.n
        items = self._items
        if len(items) != n:  # a fork: copy the prefix this state sees
            return self._fork().append(item, key)
        items.append(item)
        self._keys.append(key)
        if key is not None:
            if key not in self._first:
                self._first[key] = n
            self._latest[key] = n
        return _Log(items, self._keys, self._first, self._latest, n + 1)

    def extend(self, items: list[Any], keys: list[Any] | None = None) -> _Log:
        """The log with `items` added, each found by its key in `keys` (None: by none):
        append's result, one object for all."""
        log = self if len(self._items) == self.n else self._fork()
        n = log.n
        log._items.extend(items)
        if keys is None:
            log._keys.extend([None] * len(items))
        else:
            log._keys.extend(keys)
            keyed = [(key, i) for i, key in enumerate(keys, n) if key is not None]
            log._latest.update(keyed)
            setdefault = log._first.setdefault
            for key, i in keyed:
                setdefault(key, i)
        return _Log(log._items, log._keys, log._first, log._latest, n + len(items))

    def append_keyed(self, item: Any, *keys: Any) -> _Log:
        """append, found by each of several keys (None ones left out)."""
        n = self.n
        if len(self._items) != n:
            return self._fork().append_keyed(item, *keys)
        keys = _Keys([key for key in keys if key is not None])
        self._items.append(item)
        self._keys.append(keys)
        for key in keys:
            if key not in self._first:
                self._first[key] = n
            self._latest[key] = n
        return _Log(self._items, self._keys, self._first, self._latest, n + 1)

    def _fork(self) -> _Log:
        n = self.n
        entry_keys, first, latest = self._keys[:n], {}, {}
        for i, keys in enumerate(entry_keys):
            for key in _keys_of(keys):
                first.setdefault(key, i)
                latest[key] = i
        return _Log(self._items[:n], entry_keys, first, latest, n)

    def first(self, key: Any) -> Any:
        i = self.first_index(key)
        return None if i is None else self._items[i]

    def first_of_each(self, keys: Iterable[Any]) -> list[Any]:
        """first(key) for each key, in one pass."""
        found, items, n = self._first.get, self._items, self.n
        out = []
        for key in keys:
            i = found(key)
            out.append(items[i] if i is not None and i < n else None)
        return out

    def first_index(self, key: Any) -> int | None:
        i = self._first.get(key)
        return i if i is not None and i < self.n else None

    def latest_index(self, key: Any) -> int | None:
        i = self._latest.get(key)
        if i is not None and i < self.n:
            return i
        if self.first_index(key) is None:
            return None
        return max(j for j in range(self.n) if key in _keys_of(self._keys[j]))  # an older state of a longer fold

    def __getitem__(self, i: int) -> Any:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self._items[i]

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator:
        items = self._items
        return (items[i] for i in range(self.n))

    def list(self) -> list:
        return self._items[: self.n]

    def since(self, start: int) -> list:
        """The entries from `start` on: what a reader that had seen `start` entries has not."""
        return self._items[start : self.n]


class _Keys(tuple):
    """The several keys of one log entry (a single key may itself be a tuple)."""

    __slots__ = ()


def _keys_of(entry_keys: Any) -> tuple:
    if entry_keys is None:
        return ()
    return entry_keys if type(entry_keys) is _Keys else (entry_keys,)


EMPTY_LOG = _Log()


class Flight(NamedTuple):
    """A produce request in flight, and how far it got: 'letter' (on its way), 'receipt'
    (decided, the answer on its way), 'lost_letter' or 'lost_receipt' (a fault)."""

    request: Event
    phase: str


@dataclass(frozen=True)
class Attempt:
    """One send of one partition's batch, with what happened to it (None: not seen), and
    the other sends of the same records (attempt numbers; None: there is none)."""

    index: int  # attempt number, in sending order
    position: int  # index of the request in trace.events
    request: Event
    fault: Event | None = None
    decision: Event | None = None
    response: Event | None = None
    fault_position: int | None = None
    decision_position: int | None = None
    first_send: int | None = None  # the first send of these records (itself: index)
    previous_send: int | None = None
    next_send: int | None = None  # the latest later send of the same records

    @property
    def stored(self) -> bool:
        return self.decision is not None and self.decision.get("result") in (m.APPENDED, m.DUPLICATE)


def sent_key(request: Event) -> tuple:
    """What makes two sends the same records: their partition and messages (or values)."""
    msgs = request.get("msgs") or request.get("values") or ()
    return ("sent", request.get("partition"), tuple(msgs)) if msgs else ()


class ProducerStateRow(NamedTuple):
    partition: int
    producer_id: int
    producer_epoch: int
    last_sequence: int
    batches: tuple[tuple[int, int, int, int], ...]  # REMEMBERED_FIELDS


class State(NamedTuple):
    """What is known after `position` events.  Read it through its methods; the logs are
    shared with later states and must not be changed."""

    position: int = 0
    event: Event | None = None
    stored: _Log = EMPTY_LOG  # StoredRecords in decision order, keyed by msg (first copy)
    calls: _Log = EMPTY_LOG  # produce() calls (ProduceCalled details), in call order
    reports: _Log = EMPTY_LOG  # DeliveryReport details, keyed by msg (the first counts)
    acknowledged: int = 0  # produce() calls whose (first) report said delivered
    producer_state: tuple[tuple[tuple[int, int], tuple[int, tuple]], ...] = ()  # ((partition, pid), (epoch, batches))
    in_flight: tuple[tuple[Any, Flight], ...] = ()  # (request_no, Flight), in sending order
    attempts: _Log = EMPTY_LOG  # produce sends: (position, request, first send, previous send of its records)
    pairs: _Log = EMPTY_LOG  # (position, event) keyed by (attempt index, "fault" | "decision" | "response")
    producer_id: int | None = None  # the sender's badge
    producer_epoch: int | None = None
    fatal: str = ""
    down: frozenset = frozenset()  # brokers stopped or killed
    duplicates_caught: int = 0
    epoch_bumps: int = 0
    producer_id_assignments: int = 0
    producer_restarts: int = 0
    fatal_errors: int = 0
    complaints: _Log = EMPTY_LOG  # what the client or the run said went wrong: refusals, fatal and run errors

    # ---- reading a state -----------------------------------------------------------
    def deliveries(self, finished: bool = True) -> list[Delivery]:
        """One Delivery per produce() call so far, in call order; a call without a report
        has error NO_REPORT (with finished=False such calls are left out)."""
        calls = self.calls.list()
        try:
            msgs, values = list(map(_MSG, calls)), list(map(_VALUE, calls))
        except AttributeError:  # hand-built mappings
            msgs, values = [call.get("msg") for call in calls], [call.get("value") for call in calls]
        typed_report = m.DeliveryReport
        out = []
        for call, msg, value, report in zip(calls, msgs, values, self.reports.first_of_each(msgs), strict=True):
            if type(report) is typed_report:
                out.append(Delivery(msg, value, report.partition, report.offset, report.error))
            elif report is not None:
                out.append(Delivery(msg, value, report.get("partition"), report.get("offset"), report.get("error")))
            elif finished:
                out.append(Delivery(msg, value, call.get("partition"), None, m.NO_REPORT))
        return out

    def records(self) -> list[StoredRecord]:
        return self.stored.list()

    def first_copy(self, msg: int | None) -> StoredRecord | None:
        """The first stored copy of a message so far (None: not stored)."""
        return None if msg is None else self.stored.first(msg)

    def producer_state_rows(self) -> list[ProducerStateRow]:
        return [
            ProducerStateRow(p, pid, epoch, batches[-1][1] if batches else -1, batches)
            for (p, pid), (epoch, batches) in sorted(self.producer_state)
        ]

    def flights(self) -> list[Flight]:
        return [flight for _, flight in self.in_flight]

    def attempt(self, index: int) -> Attempt:
        """The produce attempt number `index` (0-based, in sending order) as known now."""
        position, request, first, previous = self.attempts[index]
        fault = self.pairs.first((index, "fault"))
        decision = self.pairs.first((index, "decision"))
        response = self.pairs.first((index, "response"))
        later = self.attempts.latest_index(sent_key(request))
        return Attempt(
            index,
            position,
            request,
            fault[1] if fault else None,
            decision[1] if decision else None,
            response[1] if response else None,
            fault[0] if fault else None,
            decision[0] if decision else None,
            first,
            previous,
            later if later is not None and later > index else None,
        )

    def paired_attempts(self) -> list[Attempt]:
        """Every produce attempt so far with its fault, decision and answer."""
        return [self.attempt(i) for i in range(len(self.attempts))]

    def attempt_of(self, request_no: Any, partition: Any = None) -> Attempt | None:
        """The latest send with this request number (and partition, when given)."""
        key = ("request", request_no) if partition is None else (request_no, partition)
        index = self.attempts.latest_index(key)
        return None if index is None else self.attempt(index)


def step(state: State, event: Event) -> State:
    """The state after one more event."""
    kind, get = event.kind, event.get
    position = state.position + 1
    # The two per-message kinds first, built without _replace: they are most of a large run.
    if kind == m.PRODUCE_CALLED:
        return _new(State, (position, event, state[2], state.calls.append(event.detail), *state[4:]))
    if kind == m.DELIVERY_REPORT:
        msg = get("msg")
        reports = state.reports
        acknowledged = state.acknowledged + (1 if get("error") is None and reports.first_index(msg) is None else 0)
        return _new(
            State, (position, event, state[2], state[3], reports.append(event.detail, msg), acknowledged, *state[6:])
        )
    changes: dict[str, Any] = {"position": position, "event": event}
    index = state.position  # this event's index in the trace
    if kind == m.REQUEST_SENT:
        if get("api") == m.PRODUCE:
            request_no = get("request_no")
            flights = [(r, f) for r, f in state.in_flight if r != request_no]
            changes["in_flight"] = (*flights, (request_no, Flight(event, "letter")))
            attempts = state.attempts
            same = sent_key(event) or None
            first = attempts.first_index(same) if same else None
            previous = attempts.latest_index(same) if same else None
            number = len(attempts)
            changes["attempts"] = attempts.append_keyed(
                (index, event, number if first is None else first, previous),
                (request_no, get("partition")),
                ("request", request_no),
                same,
            )
    elif kind == m.FAULT_INJECTED:
        request_no = get("request_no")
        if get("api", m.PRODUCE) == m.PRODUCE:
            changes["pairs"] = _pair(state, _sends_of(state, request_no), "fault", index, event)
            action = get("action")
            if action in (m.DROP_REQUEST, m.DROP_RESPONSE):
                phase = "lost_letter" if action == m.DROP_REQUEST else "lost_receipt"
                changes["in_flight"] = tuple(
                    (r, Flight(f.request, phase) if r == request_no else f) for r, f in state.in_flight
                )
    elif kind == m.BROKER_DECISION:
        request_no, partition = get("request_no"), get("partition")
        send = state.attempts.latest_index((request_no, partition))
        changes["pairs"] = _pair(state, [] if send is None else [send], "decision", index, event)
        changes["in_flight"] = tuple(
            (r, Flight(f.request, "receipt") if r == request_no and f.phase == "letter" else f)
            for r, f in state.in_flight
        )
        result = get("result")
        if result == m.APPENDED:
            records = _records_of(event)
            changes["stored"] = state.stored.extend(records, [record.msg for record in records])
        elif result == m.DUPLICATE:
            changes["duplicates_caught"] = state.duplicates_caught + 1
        remembered = get("remembered")
        if remembered is not None:
            key = (partition, get("producer_id"))
            entry = (get("producer_epoch"), tuple(tuple(b) for b in remembered))
            changes["producer_state"] = (*[(k, v) for k, v in state.producer_state if k != key], (key, entry))
    elif kind == m.RESPONSE_RECEIVED:
        if get("api") == m.PRODUCE:
            request_no, partition = get("request_no"), get("partition")
            changes["in_flight"] = tuple((r, f) for r, f in state.in_flight if r != request_no)
            sends = [
                i
                for i in _sends_of(state, request_no)
                if partition is None or state.attempts[i][1].get("partition") == partition
            ]
            changes["pairs"] = _pair(state, sends, "response", index, event)
    elif kind == m.CONNECTION_CLOSED:
        changes["in_flight"] = ()
    elif kind == m.PRODUCER_STATE:
        partition = get("partition")
        kept = [(k, v) for k, v in state.producer_state if k[0] != partition]
        for producer in get("producers") or ():
            kept.append(
                (
                    (partition, producer["producer_id"]),
                    (producer["producer_epoch"], tuple(tuple(b) for b in producer["remembered"])),
                )
            )
        changes["producer_state"] = tuple(kept)
    elif kind == m.PRODUCER_EXPIRED:
        key = (get("partition"), get("producer_id"))
        changes["producer_state"] = tuple((k, v) for k, v in state.producer_state if k != key)
    elif kind == m.PRODUCER_ID_ASSIGNED:
        changes.update(
            producer_id=get("producer_id"),
            producer_epoch=get("producer_epoch"),
            producer_id_assignments=state.producer_id_assignments + 1,
        )
    elif kind == m.EPOCH_BUMP:
        changes.update(
            producer_id=get("producer_id", state.producer_id),
            producer_epoch=get("to_epoch"),
            epoch_bumps=state.epoch_bumps + 1,
        )
    elif kind == m.PRODUCER_RESTART:
        changes.update(producer_id=None, producer_epoch=None, fatal="", producer_restarts=state.producer_restarts + 1)
    elif kind == m.FATAL_ERROR:
        changes.update(
            fatal=str(get("error") or "fatal error"),
            fatal_errors=state.fatal_errors + 1,
            complaints=state.complaints.append(event.detail),
        )
    elif kind in (m.PRODUCE_REFUSED, m.RUN_ERROR):
        changes["complaints"] = state.complaints.append(event.detail)
    elif kind == m.BROKER_ACTION:
        broker, action = get("broker_id"), get("action")
        if action in ("stop", "kill"):
            changes["down"] = state.down | {broker}
        elif action == "start":
            changes["down"] = state.down - {broker}
    return state._replace(**changes)


_new = tuple.__new__


def _sends_of(state: State, request_no: Any) -> list[int]:
    """The attempts of the latest request with this number: one per partition it
    carried, sent one after another."""
    attempts = state.attempts
    last = attempts.latest_index(("request", request_no))
    if last is None:
        return []
    found = [last]
    while found[-1] > 0 and attempts[found[-1] - 1][1].get("request_no") == request_no:
        found.append(found[-1] - 1)
    return found[::-1]


def _pair(state: State, sends: list[int], role: str, position: int, event: Event) -> _Log:
    pairs = state.pairs
    for number in sends:
        pairs = pairs.append((position, event), (number, role))
    return pairs


def _records_of(event: Event) -> list[StoredRecord]:
    """The records an appended decision put in the log, numbered by the back end's own
    base offset and sequences."""
    get = event.get
    values = get("values") or ()
    msgs = get("msgs") or [None] * len(values)
    count = min(len(values), len(msgs))
    pid, epoch, offset, partition = get("producer_id"), get("producer_epoch"), get("base_offset"), get("partition")
    sequences = [-1] * count if pid == m.NO_PRODUCER_ID else m.sequences_from(get("base_sequence"), count)
    return [
        _new(StoredRecord, (partition, offset + i, value, None, pid, epoch, sequence, msg))
        for i, value, msg, sequence in zip(range(count), values, msgs, sequences, strict=False)
    ]


def states(events: Iterable[Event]) -> Iterator[State]:
    """The state before any event, then after each one: len(events) + 1 states."""
    state = State()
    yield state
    for event in events:
        state = step(state, event)
        yield state


def fold(events: Iterable[Event]) -> State:
    """The state after all the events: step() applied to each in turn.  A stretch of
    produce() calls or of delivery reports (most of a large run) is applied at once, which
    ends in the state step() would reach (tests/unit/test_timeline.py compares them)."""
    state = State()
    events = events if isinstance(events, list) else list(events)
    i, end = 0, len(events)
    while i < end:
        kind = events[i].kind
        j = i + 1
        if kind in _BATCHED:
            while j < end and events[j].kind == kind:
                j += 1
        state = step(state, events[i]) if j == i + 1 else _batch(state, events[i:j], kind)
        i = j
    return state


_BATCHED = (m.PRODUCE_CALLED, m.DELIVERY_REPORT)
_MSG, _VALUE, _ERROR = attrgetter("msg"), attrgetter("value"), attrgetter("error")


def _batch(state: State, run: list[Event], kind: str) -> State:
    """step() over consecutive events of one per-message kind, as one change."""
    position, last = state.position + len(run), run[-1]
    if kind == m.PRODUCE_CALLED:
        calls = state.calls.extend([e.detail for e in run])
        return _new(State, (position, last, state[2], calls, *state[4:]))
    details = [e.detail for e in run]
    try:
        msgs, errors = list(map(_MSG, details)), list(map(_ERROR, details))
    except AttributeError:  # hand-built mappings
        msgs, errors = [d.get("msg") for d in details], [d.get("error") for d in details]
    reports = state.reports.extend(details, msgs)
    first = reports._first  # this log ends at its last entry, so every index it holds is visible
    acknowledged = state.acknowledged + sum(
        [
            1
            for i, msg, error in zip(range(len(state.reports), reports.n), msgs, errors, strict=True)
            if error is None and (msg is None or first[msg] == i)  # as step() counts
        ]
    )
    return _new(State, (position, last, state[2], state[3], reports, acknowledged, *state[6:]))


# ---- a snapshot: one state with the run's ending applied --------------------------------


@dataclass(frozen=True)
class Snapshot:
    position: int
    event: Event | None
    stored: list[StoredRecord]
    deliveries: list[Delivery]
    producer_state: list[ProducerStateRow]
    in_flight: list[Event]
    outcome: Outcome
    state: State | None = None


def view(trace: Trace, state: State) -> Snapshot:
    """What a learner sees at a state of this trace.  At the end the stored log is the one
    the back end read back (the whole log; the fold only saw this run's appends)."""
    finished = state.position >= len(trace.events)
    stored = state.records()
    if finished and (trace.stored or not stored):
        stored = list(trace.stored)
    deliveries = state.deliveries()
    outcome = summarize_parts(
        stored,
        deliveries if finished else [d for d in deliveries if d.error != m.NO_REPORT],
        trace.fatal_error if finished else None,
        trace.run_error if finished else None,
        state.duplicates_caught,
        len(deliveries),  # produce() calls so far, reported or not
    )
    return Snapshot(
        state.position,
        state.event,
        stored,
        deliveries,
        state.producer_state_rows(),
        [flight.request for flight in state.flights()],
        outcome,
        state,
    )


def snapshot(trace: Trace, position: int) -> Snapshot:
    position = max(0, min(position, len(trace.events)))
    return view(trace, fold(trace.events[:position]))
