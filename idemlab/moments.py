"""The few moments of a run that matter, each with one plain sentence and the event it
points at: what a learner steps through instead of every event.

`key_moments(trace)` reads only the trace (events and stored log), so it works on a
trace from either back end.  `Moment.event` indexes `trace.events` (the `events` list
of `python -m idemlab run … --trace --json`).  The kinds are exactly KINDS; letters are
named by their value (idemlab.words.letter_names), never by their produce() index.
Pure: no streamlit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from idemlab import model as m
from idemlab import words
from idemlab.client_names import Failure, broker_words, client_of, delivery_failures, in_client_names, message_words
from idemlab.clients import LIBRDKAFKA
from idemlab.implicit_acks import acknowledging_answer
from idemlab.outcome import Outcome, summarize
from idemlab.timeline import Attempt, State, fold, sent_key, step

KINDS = (
    "ack_lost",
    "request_lost",
    "retry",
    "duplicate_caught",
    "duplicate_stored",
    "resend",
    "epoch_bump",
    "fatal_error",
    "reordered",
    "refusal",
    "lost",
    "failed_but_stored",
    "delivered_not_stored",
    "producer_restart",
    "new_producer_id",
    "broker_down",
    "broker_up",
    "leader_change",
    "expired",
    "sequence_refused",
    "implicit_ack",
)

# The broker's answers that say a batch's numbers do not fit what it remembers of its sender.
SEQUENCE_REFUSALS = frozenset({"OUT_OF_ORDER_SEQUENCE_NUMBER", "UNKNOWN_PRODUCER_ID", "DUPLICATE_SEQUENCE_NUMBER"})


class Moment(NamedTuple):
    kind: str  # one of KINDS
    event: int  # index into trace.events
    text: str  # one plain sentence

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "event": self.event, "text": self.text}


def key_moments(trace: m.Trace, outcome: Outcome | None = None, state: State | None = None) -> list[Moment]:
    """The run's key moments in event order (ties keep the order they were found in).
    `outcome` and `state` (the fold of the whole trace), when the caller has them, save
    summarising and folding the run again.  A Java run's broker errors are named as the
    Java client names them (idemlab.client_names)."""
    named = in_client_names(trace)
    if named is not trace:  # the caller's outcome and state hold the other names
        trace, outcome, state = named, None, None
    return _Moments(trace, outcome, state).find()


class _Moments:
    """Walks the events to place each moment; what happened to each send (its fault,
    the broker's decision, the sends before and after it) comes from the fold."""

    def __init__(self, trace: m.Trace, outcome: Outcome | None = None, state: State | None = None) -> None:
        self.trace = trace
        self.events = trace.events
        self._names: dict[int, str] | None = None
        self.out: list[Moment] = []
        self._group: tuple | None = None
        self.state = state if state is not None else fold(trace.events)
        self._stepped = State()  # the fold stepped only as far as a refusal needs (see state_before)
        self._carried: dict[int, list[Attempt]] | None = None  # see sends_carrying
        self.attempts = self.state.paired_attempts()
        self.sends = {a.position: a for a in self.attempts}
        self.outcome = outcome or summarize(trace, self.state)
        self.not_stored = set(self.outcome.lost_msgs)  # produce() calls with no record in the log
        self.stored_twice = set(self.outcome.duplicate_msgs)
        self.late = set(self.outcome.reordered_msgs)  # stored after a letter sent later
        self.turned_away: set[int] = set()  # late letters whose refusal is told
        self.not_yet_stored = set(self.late)  # late letters the walk has not seen stored yet
        self.ahead_of: set[int] = set()  # late letters a letter sent after them was told stored before
        self._resent: dict[tuple[int, str], list[m.StoredRecord]] | None = None
        self._failures: dict[int, Failure] | None = None
        self.copies: dict[str, m.StoredRecord] = {}  # a letter's stored copy, by name, for implicit_ack
        self.refused_at: dict[int, int] = {}  # letter -> the event of its latest refusal, until its report

    def failure(self, msg: int) -> Failure | None:
        """What a failed report said beyond its error (a Java exception's message), found
        only when a failed report is a moment."""
        if self._failures is None:
            self._failures = delivery_failures(self.state)
        return self._failures.get(msg)

    @property
    def names(self) -> dict[int, str]:
        """Letter names, worked out only when a moment needs one (a bulk run has 100,000)."""
        if self._names is None:
            self._names = words.letter_names(self.events)
        return self._names

    def add(self, kind: str, index: int, text: str) -> None:
        self.flush_group()
        self.out.append(Moment(kind, index, text))

    def group(self, kind: str, index: int, name: str, render, same: tuple = ()) -> None:
        """A moment that absorbs the next ones of the same kind when nothing else
        happens in between (three retries sent together, two reports of one purge) and
        its sentence says the same of them: `same` holds every word of it but the names
        (the cause, the numbers, the answer), so letters that differ get moments of their own."""
        if self._group is not None and self._group[0] == kind and self._group[3] == same:
            # the moment moves to its last member: only there is every name's claim true
            _kind, _first, names, _same, _render = self._group
            self._group = (kind, index, [*names, name], same, render)
            return
        self.flush_group()
        self._group = (kind, index, [name], same, render)

    def flush_group(self) -> None:
        if self._group is not None:
            kind, index, names, _same, render = self._group
            self._group = None
            self.out.append(Moment(kind, index, render(names)))

    def letters(self, event: m.Event) -> str:
        msgs = event.get("msgs") or ()
        values = event.get("values") or ()
        if msgs and all(msg is not None for msg in msgs):
            names = [
                self.names.get(msg, str(value)) for msg, value in zip(msgs, values or [None] * len(msgs), strict=False)
            ]
        else:
            names = [str(v) for v in values]
        return words.and_list(names) if names else "the batch"

    def find(self) -> list[Moment]:
        events = self.events
        pid_refusals: list[m.Event] = []
        pids_seen = 0
        late = self.late
        told_reordered: set[int] = set()

        not_stored = self.not_stored
        # A report is a moment only if it failed or its letter is not stored.
        reports_matter = bool(not_stored or self.outcome.delivery_failed)
        produce_called, delivery_report = m.PRODUCE_CALLED, m.DELIVERY_REPORT
        for i, e in enumerate(events):
            kind = e.kind
            if kind == produce_called:  # the common events first, decided in one look
                continue
            if kind == delivery_report:
                if reports_matter and (e.detail.get("error") is not None or e.detail.get("msg") in not_stored):
                    self._report(i, e)
                elif self.refused_at and e.detail.get("msg") in self.refused_at:
                    self._implicit_ack(i, e)
                continue
            get = e.get
            if kind == m.REQUEST_SENT:
                if i in self.sends:
                    self._request(i, self.sends[i])
                continue
            if kind == m.RESPONSE_RECEIVED:
                if get("error") and get("api") == m.INIT_PRODUCER_ID:
                    pid_refusals.append(e)
                continue
            if kind in (m.FLUSH, m.WAIT, m.PRODUCER_STATE, m.CONNECTION_CLOSED):
                continue
            if kind == m.FAULT_INJECTED:
                self._fault(i, e)
            elif kind == m.BROKER_DECISION:
                self._decision(i, e, late, told_reordered)
            elif kind == m.PRODUCER_ID_ASSIGNED:
                pids_seen += 1
                self._producer_id(i, e, pids_seen, pid_refusals)
                pid_refusals = []
            elif kind == m.EPOCH_BUMP:
                reason = get("reason")
                because = f" ({reason})" if reason and reason != "seen on the wire" else ""
                self.add(
                    "epoch_bump",
                    i,
                    f"The producer bumps its epoch from {get('from_epoch')} to {get('to_epoch')}{because}: "
                    f"same producer id (PID {get('producer_id')}), a fresh page in the broker's notebook, "
                    "and its sequence numbers start again at 0.",
                )
            elif kind == m.FATAL_ERROR:
                message = words.first_line(get("message"))
                self.add(
                    "fatal_error",
                    i,
                    f"The producer stops for good with a fatal error, {get('error')}"
                    + (f" (“{message}”)" if message else "")
                    + ": it refuses new letters, and the application must create a new producer.",
                )
            elif kind == m.PRODUCER_RESTART:
                self.add(
                    "producer_restart",
                    i,
                    "The application closes its producer and creates a new one: the new producer "
                    "must register again, and the broker will see it as a new sender.",
                )
            elif kind == m.BROKER_ACTION:
                self._broker_action(i, e)
            elif kind == m.PRODUCER_EXPIRED:
                self.add(
                    "expired",
                    i,
                    f"The broker forgets PID {get('producer_id')} on partition {get('partition')}: "
                    "judged by the timestamps of its records, it has sent nothing for longer than "
                    "producer.id.expiration.ms, so its page in the notebook is gone.",
                )
        self.flush_group()
        self._lost_without_report()
        return sorted(self.out, key=lambda moment: moment.event)

    def _request(self, i: int, send: Attempt) -> None:
        e = send.request
        if not sent_key(e):
            return
        if send.first_send == send.index:
            if (e.get("attempt") or 1) > 1:
                self._rebatched(i, send)
            return
        why = _why_again(self.attempts[send.previous_send]) if send.previous_send is not None else ""
        first = self.attempts[send.first_send].request
        if _no_pid(e):
            how = ""
        elif (e.get("producer_id"), e.get("producer_epoch"), e.get("base_sequence")) == (
            first.get("producer_id"),
            first.get("producer_epoch"),
            first.get("base_sequence"),
        ):
            how = ", with the same producer id, epoch and sequence numbers"
        else:
            how = f", under new numbers ({_short_ids(e, epoch=True)})"
        # Retries join one moment only when sent together: the Java client sends its
        # retries of one partition one by one, each after the previous one's answer.
        grouped = self._group is not None and self._group[0] == "retry"
        if grouped and any(ev.kind == m.RESPONSE_RECEIVED for ev in self.events[self._group[1] + 1 : i]):
            self.flush_group()
        self.group(
            "retry",
            i,
            self.letters(e),
            lambda names: f"The producer sends {words.and_list(names)} again{why}{how}.",
            (why, how),
        )

    def _rebatched(self, i: int, send: Attempt) -> None:
        """A resend in a batch made anew (letters of several earlier sends, or beside letters
        sent for the first time): each letter's cause and numbers are its own."""
        e = send.request
        msgs = [msg for msg in e.get("msgs") or () if msg is not None]
        previous: dict[int, Attempt] = {}
        first: dict[int, Attempt] = {}
        carried = self.sends_carrying()
        for msg in msgs:
            earlier = [other for other in carried.get(msg, ()) if other.index < send.index]
            if earlier:
                previous[msg], first[msg] = earlier[-1], earlier[0]
        again = [msg for msg in msgs if msg in previous]
        if not again:
            return
        causes = {msg: _why_again(previous[msg]) for msg in again}
        kept = {_numbers(e, msg) == _numbers(first[msg].request, msg) for msg in again}
        if _no_pid(e) or len(kept) > 1:  # some letters keep their numbers, some not: no word on them
            how = ""
        elif kept == {True}:
            how = ", with the same producer id, epoch and sequence numbers"
        else:
            how = f", under new numbers ({_short_ids(e, epoch=True)})"
        names = self.names
        resent = words.and_list([names.get(msg, str(msg)) for msg in again])
        if len(set(causes.values())) == 1:
            text = f"The producer sends {resent} again{causes[again[0]]}{how}"
        else:
            told = [f"{names.get(msg, str(msg))}{why}" for msg, why in causes.items() if why]
            text = f"The producer sends {resent} again in one batch{how}: {', '.join(told)}"
        new = [names.get(msg, str(msg)) for msg in msgs if msg not in previous]
        if new:
            text += f", together with {words.and_list(new)}, sent for the first time"
        self.add("retry", i, text + ".")

    def sends_carrying(self) -> dict[int, list[Attempt]]:
        """The sends that carried each letter of a batch made anew, in sending order: found in
        one look over the sends, the first time a run has such a batch."""
        if self._carried is None:
            anew: set[int] = set()
            for send in self.attempts:
                if send.first_send == send.index and (send.request.get("attempt") or 1) > 1:
                    anew.update(send.request.get("msgs") or ())
            self._carried = {}
            for send in self.attempts if anew else ():
                for msg in anew.intersection(send.request.get("msgs") or ()):
                    self._carried.setdefault(msg, []).append(send)
        return self._carried

    # ---- one kind of event each -------------------------------------------------------
    def _fault(self, i: int, e: m.Event) -> None:
        action, number = e.get("action"), e.get("request_no")
        if e.get("api") == m.INIT_PRODUCER_ID:
            if action == m.DROP_RESPONSE:
                self.add(
                    "ack_lost",
                    i,
                    "The answer to the producer's registration (InitProducerId) is lost "
                    "on the way back: the producer asks again.",
                )
            elif action == m.DROP_REQUEST:
                self.add(
                    "request_lost",
                    i,
                    "The producer's registration (InitProducerId) is lost on the way: the post office never sees it.",
                )
            return
        send = self.state.attempt_of(number)
        request = send.request if send is not None else None
        what = f"{self.letters(request)} (request #{number})" if request is not None else f"Request #{number}"
        if action == m.DROP_RESPONSE:
            decision = send.decision if send is not None else None
            if decision is not None and decision.get("result") == m.APPENDED:
                detail = (
                    f"the broker stored it at offset {decision.get('base_offset')}, but the producer cannot know that"
                )
            elif decision is not None and decision.get("result") == m.DUPLICATE:
                detail = f"the broker had recognised it (already at offset {decision.get('base_offset')})"
            elif decision is not None:
                detail = f"the broker had refused it ({decision.get('error')})"
            else:
                detail = "the producer cannot tell whether it was stored"
            self.add("ack_lost", i, f"The receipt for {what} is lost on the way back: {detail}.")
        elif action == m.DROP_REQUEST:
            self.add(
                "request_lost",
                i,
                f"{'The envelope with ' if request is not None else ''}{what} is lost on the way: "
                "the broker never sees it, so nothing is stored.",
            )
        elif action == m.ERROR and request is not None:
            self.refused_at.update(dict.fromkeys((msg for msg in request.get("msgs") or () if msg is not None), i))
            self._turned_away(i, request, e.get("error"), at_door=True)

    def _decision(self, i: int, e: m.Event, late: set, told_reordered: set) -> None:
        result = e.get("result")
        msgs = [msg for msg in (e.get("msgs") or ()) if msg is not None]
        if result == m.DUPLICATE:
            where = f"offset {e.get('base_offset')}"
            self.add(
                "duplicate_caught",
                i,
                f"The broker already has {self.letters(e)} ({_short_ids(e)}) on the shelf at {where}: "
                "it keeps one copy and answers with that offset.",
            )
            return
        if result == m.REJECTED:
            self.refused_at.update(dict.fromkeys(msgs, i))
        if result == m.REJECTED and e.get("error") in SEQUENCE_REFUSALS:
            self._sequence_refused(i, e)
        elif result == m.REJECTED:
            self._turned_away(i, e, e.get("error"), at_door=False)
        if result != m.APPENDED:
            return
        self._stored_ahead(i, e, msgs)
        self._stored_again(i, e, msgs)
        self.not_yet_stored.difference_update(msgs)
        base = e.get("base_offset") or 0
        twice = [msg for msg in msgs if msg in self.stored_twice]
        copies = {msg: self.state.first_copy(msg) for msg in twice}
        again = [
            msg
            for msg in twice
            if copies[msg] is not None
            and not (copies[msg].partition == e.get("partition") and base <= copies[msg].offset < base + len(msgs))
        ]
        if again:
            first = ", ".join(str(copies[msg].offset) for msg in again)
            if e.get("producer_id", m.NO_PRODUCER_ID) == m.NO_PRODUCER_ID:
                why = "without idempotence the retry carries no producer id or sequence number to recognise it by"
            else:
                why = f"the retry came as {_short_ids(e, epoch=True)}, which the broker's notebook does not hold"
            self.add(
                "duplicate_stored",
                i,
                f"The broker stores {self.letters(e)} a second time, at offset {e.get('base_offset')} "
                f"(first copy at offset {first}): {why}.",
            )
        shown = [msg for msg in msgs if msg in late and msg not in told_reordered and msg not in self.ahead_of]
        if shown:
            told_reordered.update(shown)
            names = words.and_list([self.names.get(msg, f"message {msg}") for msg in shown])
            self.add(
                "reordered",
                i,
                f"The broker stores {names} at offset {e.get('base_offset')}, after a letter that was sent "
                "later: the order on the shelf is not the order of sending.",
            )

    def _turned_away(self, i: int, sent: m.Event, error: object, at_door: bool) -> None:
        """A refusal that changes the log's order: the refused letters are stored later, after
        a letter sent after them."""
        refused = [msg for msg in sent.get("msgs") or () if msg in self.late and msg not in self.turned_away]
        if not refused:
            return
        self.turned_away.update(refused)
        they, them = ("it", "it") if len(refused) == 1 else ("they", "them")
        refusal = (
            f"The envelope with {self.letters(sent)} (request #{sent.get('request_no')}) is turned away at the "
            f"post office's door with {error}"
            if at_door
            else f"The broker refuses {self.letters(sent)} (request #{sent.get('request_no')}) with {error}"
        )
        # named for what it shows, a refusal: only the store that puts a later letter first is "reordered"
        self.add(
            "refusal",
            i,
            f"{refusal} and nothing is stored: {they} must be sent again, so a letter sent after "
            f"{them} can reach the shelf first.",
        )

    def _stored_ahead(self, i: int, e: m.Event, msgs: list[int]) -> None:
        """Letters stored while a letter sent before them, which the shelf will hold after them,
        is not stored yet: the moment the order on the shelf changes."""
        if not self.not_yet_stored or not msgs:
            return
        partition, first = e.get("partition"), min(msgs)
        passed = sorted(
            msg
            for msg in self.not_yet_stored - self.ahead_of
            if msg < first and (copy := self.state.first_copy(msg)) is not None and copy.partition == partition
        )
        if not passed:
            return
        self.ahead_of.update(passed)
        names = words.and_list([self.names.get(msg, f"message {msg}") for msg in passed])
        self.add(
            "reordered",
            i,
            f"The broker stores {self.letters(e)} at offset {e.get('base_offset')} before {names}, sent earlier "
            "and not on the shelf yet: the order on the shelf is no longer the order of sending.",
        )

    def resent_copies(self) -> dict[tuple[int, str], list[m.StoredRecord]]:
        """(partition, value) -> its records in log order, for the values the application sent
        more than once and the log holds from two or more of those sends."""
        if self._resent is None:
            values = {value for value, _count in self.outcome.resent_stored}
            self._resent = {}
            for record in sorted(self.state.stored, key=lambda r: (r.partition, r.offset)) if values else ():
                if record.value in values:
                    self._resent.setdefault((record.partition, record.value), []).append(record)
        return self._resent

    def _stored_again(self, i: int, e: m.Event, msgs: list[int]) -> None:
        """A letter the application sent again, stored a second time: the broker cannot tell
        it from a new letter (under a new producer id its notebook has nothing to match)."""
        if not self.outcome.resent_stored:
            return
        copies = self.resent_copies()
        partition, values = e.get("partition"), list(e.get("values") or ())
        firsts = []
        for msg, value in zip(msgs, values, strict=False):
            earlier = [r for r in copies.get((partition, str(value)), ()) if r.msg not in (None, msg)]
            if earlier and earlier[0].offset < (e.get("base_offset") or 0):
                firsts.append(earlier[0])
        if not firsts:
            return
        pid, old = e.get("producer_id"), {r.producer_id for r in firsts}
        them = "it" if len(firsts) == 1 else "them"
        if _no_pid(e):
            why = f"without idempotence nothing tells the broker that it already has {them}"
        elif pid in old:
            why = f"the second send came from the same PID {pid} with new sequence numbers, as new letters"
        else:
            before = words.and_list(sorted(str(o) for o in old))
            noted = "its first copy is" if len(firsts) == 1 else "their first copies are"
            why = (
                f"the second send came under PID {pid}, a new sender with numbers of its own; the notebook "
                f"recognises a letter only by its own PID's entries, and {noted} noted under PID {before}"
            )
        # the application's second send is a new letter with the same contents, not a retry:
        # "stored twice" (duplicate_stored) is kept for a retry stored again
        self.add(
            "resend",
            i,
            f"The broker stores {self.letters(e)} at {_offsets(e.get('base_offset'), len(msgs))}, beside "
            f"{'its first copy' if len(firsts) == 1 else 'their first copies'} at {_offsets_of(firsts)}: the "
            f"application sent {them} again, and {why}.",
        )

    def _sequence_refused(self, i: int, e: m.Event) -> None:
        error, pid, epoch, partition = e.get("error"), e.get("producer_id"), e.get("producer_epoch"), e.get("partition")
        refuses = f"The broker refuses {self.letters(e)}"
        state = self.state_before(i)
        noted = dict(state.producer_state).get((partition, pid))  # (epoch, batches) or None
        last = noted[1][-1][1] if noted is not None and noted[0] == epoch and noted[1] else None
        # A real broker's notebook is read after its decisions, so it may lag: what it expected is
        # told only when the notebook ends where this producer's last stored record does.
        if error == "OUT_OF_ORDER_SEQUENCE_NUMBER" and last is not None and _last_stored(state, e) == last:
            text = (
                f"{refuses} with {error} and stores nothing: it expected seq {m.sequence_at(last, 1)} next from "
                f"PID {pid}, epoch {epoch} (its notebook's last batch ends at seq {last}) and got "
                f"{_seq(e)}."
            )
        else:
            text = f"{refuses} ({_short_ids(e, epoch=True)}) with {error} and stores nothing"
            if noted is None and error == "UNKNOWN_PRODUCER_ID":
                text += f": its notebook for partition {partition} holds nothing from PID {pid}"
            text += "."
        self.add("sequence_refused", i, text)

    def state_before(self, i: int) -> State:
        """The fold's state before event i.  It is stepped on from the last event asked about,
        so all refusals together cost at most one pass up to the last of them."""
        state = self._stepped
        if state.position == 0 or state.position > i:
            state = fold(self.events[:i])  # the fold's fast path over runs of per-message events
        for event in self.events[state.position : i]:
            state = step(state, event)
        self._stepped = state
        return state

    def _producer_id(self, i: int, e: m.Event, seen: int, refused: list[m.Event]) -> None:
        pid, epoch = e.get("producer_id"), e.get("producer_epoch")
        if seen == 1:
            text = (
                f"The producer registers with the post office and gets its producer id: PID {pid}, epoch {epoch}. "
                "From now on every letter carries this id and a sequence number."
            )
        else:
            text = f"The producer registers again and gets a new producer id: PID {pid}, epoch {epoch}."
        loading = [r for r in refused if r.get("error") == "COORDINATOR_LOAD_IN_PROGRESS"]
        if loading:
            text += (
                " Its first request was answered COORDINATOR_LOAD_IN_PROGRESS: a broker that has just "
                "started is still loading its block of producer ids, so the producer waited and asked again."
            )
        self.add("new_producer_id", i, text)

    def _broker_action(self, i: int, e: m.Event) -> None:
        action, broker = e.get("action"), e.get("broker_id")
        name = f"Broker {broker}" if broker is not None else "The broker"
        if action == "stop":
            self.add(
                "broker_down",
                i,
                f"{name} shuts down cleanly: it writes a snapshot of its notebook that keeps only "
                "each producer's last batch.",
            )
        elif action == "kill":
            self.add("broker_down", i, f"{name} is killed (SIGKILL): no time to write anything down.")
        elif action == "start":
            at, state = next(
                (
                    (j, later)
                    for j, later in enumerate(self.events[i + 1 : i + 6], i + 1)
                    if later.kind == m.PRODUCER_STATE and str(later.get("reason", "")).endswith("start")
                ),
                (i, None),
            )
            if state is None:
                held = ""
            elif not state.get("producers"):
                held = ": its notebook is empty"
            else:
                held = f": its notebook for partition {state.get('partition')} now holds {words.producer_state_text(state)}"
            # placed where the notebook it describes is known, so the picture agrees
            self.add("broker_up", at, f"{name} starts again{held}.")
        elif action == "leader_change":
            self.add(
                "leader_change",
                i,
                "Another broker becomes the partition's leader; it keeps the notebook entries of every "
                "batch that was replicated to it.",
            )

    def _implicit_ack(self, i: int, e: m.Event) -> None:
        """A refused letter's report: delivered with no offset, when a later answer acknowledged
        it implicitly (idemlab.implicit_acks) and it is on the shelf from an earlier send."""
        msg = e.get("msg")
        refused = self.refused_at.pop(msg)
        if e.get("error") is not None or msg in self.not_stored:
            return
        at = acknowledging_answer(self.events, self.state, msg, refused)
        copy = self.state.first_copy(msg)
        if at is None or copy is None:
            return
        answer, refusal = self.events[at], self.events[refused]
        send = self.state.attempt_of(answer.get("request_no"), answer.get("partition"))
        by = f"{self.letters(send.request)} (request #{answer.get('request_no')})" if send else "a later letter"
        error = refusal.get("error") or refusal.get("action")
        secretary = "librdkafka" if client_of(self.trace) == LIBRDKAFKA else "the client library"
        name = self.names.get(msg, f"message {msg}")
        self.copies[name] = copy

        def render(names: list[str]) -> str:
            letters = words.and_list(names)
            return (
                f"{letters} {_is(names)} reported delivered, with no offset, though the broker refused "
                f"{_it_object(names)} ({error}): the receipt for {by} came back OK, and your secretary ({secretary}) "
                "counts it as a receipt for every earlier letter still waiting too (an implicit acknowledgement: "
                "the post office takes a sender's numbers only in order), but that receipt carries no offset for "
                f"{letters}, which {_is(names)} on the shelf at {_offsets_of([self.copies[n] for n in names])}, "
                f"stored by {'an earlier send' if len(names) == 1 else 'earlier sends'}."
            )

        self.group("implicit_ack", i, name, render, (at, error))

    def _report(self, i: int, e: m.Event) -> None:
        msg, error = e.get("msg"), e.get("error")
        name = self.names.get(msg, str(e.get("value")))
        stored = msg not in self.not_stored
        failure = self.failure(msg) if error else None
        if failure is not None:  # the Java client's exception, with its message
            self._java_report(i, name, error, failure, stored)
        elif error and stored:
            self.group(
                "failed_but_stored",
                i,
                name,
                lambda names: (
                    f"{words.and_list(names)} {_is(names)} reported failed ({error}), but "
                    f"{_it(names)} {_is(names)} on the shelf: failed does not mean absent."
                ),
                (error,),
            )
        elif not error and not stored:
            self.group(
                "delivered_not_stored",
                i,
                name,
                lambda names: (
                    f"{words.and_list(names)} {_is(names)} reported delivered, but {_it(names)} "
                    f"{_is(names)} not on the shelf: {_it(names)} {_was(names)} lost."
                ),
            )
        elif error:
            self.group(
                "lost",
                i,
                name,
                lambda names: (
                    f"{words.and_list(names)} never {_reach(names)} the shelf, and the delivery "
                    f"report says so ({error})."
                ),
                (error,),
            )

    def _java_report(self, i: int, name: str, error: str, failure: Failure, stored: bool) -> None:
        broker, message = broker_words(failure), message_words(failure)
        if stored:
            self.group(
                "failed_but_stored",
                i,
                name,
                lambda names: (
                    f"{words.and_list(names)} {_is(names)} reported failed ({error}), but "
                    f"{_it(names)} {_is(names)} on the shelf: failed does not mean absent{broker}.{message}"
                ),
                (error, failure),
            )
        else:
            self.group(
                "lost",
                i,
                name,
                lambda names: (
                    f"{words.and_list(names)} never {_reach(names)} the shelf, and the delivery report says so ({error}){broker}.{message}"
                ),
                (error, failure),
            )

    def _lost_without_report(self) -> None:
        outcome = self.outcome
        if not outcome.lost_msgs:
            return
        missing = [msg for msg in outcome.lost_msgs if self.state.reports.first(msg) is None]
        if missing and self.events:
            names = words.and_list([self.names.get(msg, f"message {msg}") for msg in missing])
            self.add(
                "lost",
                len(self.events) - 1,
                f"{names} never reached the shelf, and no delivery report came by the end of the run.",
            )


def _why_again(previous: Attempt) -> str:
    """Why a batch is sent again, from what happened to its previous send."""
    response = previous.response
    if response is not None and response.get("error"):
        return f" after the refusal {response.get('error')}"
    action = previous.fault.get("action") if previous.fault is not None else None
    if action == m.DROP_RESPONSE:
        return " because its receipt never came"
    if action == m.DROP_REQUEST:
        return " because the first one never arrived"
    return ""


def _offsets(base: int | None, count: int) -> str:
    base = base or 0
    return f"offset {base}" if count <= 1 else f"offsets {base}–{base + count - 1}"


def _offsets_of(records: list[m.StoredRecord]) -> str:
    offsets = sorted(r.offset for r in records)
    if len(offsets) == 1:
        return f"offset {offsets[0]}"
    if offsets == list(range(offsets[0], offsets[-1] + 1)):
        return f"offsets {offsets[0]}–{offsets[-1]}"
    return "offsets " + words.and_list(offsets)


def _short_ids(event: m.Event, epoch: bool = False) -> str:
    pid, seq = event.get("producer_id"), _seq(event)
    return f"PID {pid}, epoch {event.get('producer_epoch')}, {seq}" if epoch else f"PID {pid}, {seq}"


def _last_stored(state: State, sender: m.Event) -> int | None:
    """The sequence of the latest record stored from this producer and epoch on this
    partition (None: none yet), looked for from the end of the stored log."""
    stored, key = state.stored, (sender.get("partition"), sender.get("producer_id"), sender.get("producer_epoch"))
    for at in range(len(stored) - 1, -1, -1):
        record = stored[at]
        if (record.partition, record.producer_id, record.producer_epoch) == key:
            return record.sequence
    return None


def _seq(event: m.Event) -> str:
    base, last = event.get("base_sequence"), words.last_sequence(event)
    return f"seq {base}" if last in (None, base) else f"seq {base}–{last}"


def _numbers(request: m.Event, msg: int) -> tuple:
    """The producer id, epoch and sequence one letter carries in a request."""
    return (
        request.get("producer_id"),
        request.get("producer_epoch"),
        m.sequence_at(request.get("base_sequence"), list(request.get("msgs")).index(msg)),
    )


def _no_pid(event: m.Event) -> bool:
    return event.get("producer_id") in (None, m.NO_PRODUCER_ID)


def _is(names: list[str]) -> str:
    return "is" if len(names) == 1 else "are"


def _was(names: list[str]) -> str:
    return "was" if len(names) == 1 else "were"


def _it(names: list[str]) -> str:
    return "it" if len(names) == 1 else "they"


def _it_object(names: list[str]) -> str:
    return "it" if len(names) == 1 else "them"


def _reach(names: list[str]) -> str:
    return "reaches" if len(names) == 1 else "reach"
