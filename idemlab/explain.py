"""A short plain-language account of what happened in one run, generated from its Trace.

`explain(trace)` returns 3–8 sentences (fewer when little happened): mail-room words
first, Kafka words in parentheses.  It reads the trace's fold (idemlab.timeline: each
send with its fault, the broker's decision and the sends after it; whether a refused
batch was sent again is what followed, not a table of retriable errors) and the stored
log, so it works for traces from either back end.  A situation it does not recognise gets no sentence; a
trace whose events lack the keys it reads (a malformed back end) gets no explanation
rather than a broken page; any other exception is a bug and propagates.
"""

from __future__ import annotations

from typing import Any

from idemlab.client_names import Failure, broker_words, delivery_failures, in_client_names, message_words
from idemlab.implicit_acks import acknowledging_answer
from idemlab.model import (
    APPENDED,
    BATCHES_REMEMBERED,
    BROKER_ACTION,
    DELAY,
    DISCONNECT,
    DROP_REQUEST,
    DROP_RESPONSE,
    DUPLICATE,
    EPOCH_BUMP,
    ERROR,
    FATAL_ERROR,
    NO_PRODUCER_ID,
    PRODUCE,
    PRODUCE_REFUSED,
    PRODUCER_ID_ASSIGNED,
    PRODUCER_RESTART,
    REJECTED,
    REQUEST_SENT,
    Event,
    Trace,
)
from idemlab.outcome import summarize
from idemlab.timeline import Attempt, fold
from idemlab.words import cap, last_sequence, letter, letter_names

MAX_SENTENCES = 8
DETAILED_FAULTS = 3

# priorities: higher survives when there are more than MAX_SENTENCES candidates
_SETUP, _FAULT, _RETRY, _REJECT, _BUMP, _RESTART, _BROKER, _FATAL, _RESULT = 5, 8, 8, 6, 7, 7, 6, 9, 9


# What a malformed trace can raise while its events are read: a missing detail key,
# None where a number was expected, a value of another type.  Nothing else is caught,
# so a typo in a sentence fails the tests instead of silently dropping the explanation.
MALFORMED_TRACE = (KeyError, IndexError, TypeError, ValueError)


def explain(trace: Trace) -> list[str]:
    """What happened in this run, in at most MAX_SENTENCES sentences."""
    try:
        candidates = _Story(trace).tell()
    except MALFORMED_TRACE:
        candidates = []
    return _trim(candidates)


def _trim(candidates: list[tuple[float, int, str]]) -> list[str]:
    """Drop repeats, keep the MAX_SENTENCES most important, tell them in event order."""
    seen: set[str] = set()
    unique = []
    for at, priority, text in candidates:
        if text and text not in seen:
            seen.add(text)
            unique.append((at, priority, text))
    ranked = sorted(range(len(unique)), key=lambda i: (-unique[i][1], i))[:MAX_SENTENCES]
    kept = sorted(ranked, key=lambda i: (unique[i][0], i))
    return [unique[i][2] for i in kept]


class _Story:
    def __init__(self, trace: Trace) -> None:
        trace = in_client_names(trace)  # a Java run's broker errors as the Java client names them
        self.trace = trace
        self.events: list[Event] = list(getattr(trace, "events", None) or [])
        self.names = letter_names(self.events)
        self.out: list[tuple[float, int, str]] = []
        self.at: float = 0
        self.state = fold(self.events)
        self.attempts = self.state.paired_attempts()
        self._failures: dict[int, Failure] | None = None  # see _failure

    def say(self, priority: int, text: str) -> None:
        """Add a sentence about the event at position self.at (sentences are told in event order)."""
        self.out.append((self.at, priority, text))

    def _index(self, event: Event) -> float:
        for i, e in enumerate(self.events):
            if e is event:
                return i
        return len(self.events)

    def tell(self) -> list[tuple[float, int, str]]:
        for step in (
            self.setup,
            self.requests,
            self.epoch_bumps,
            self.restarts,
            self.broker_actions,
            self.refusals,
            self.fatal,
            self.run_error,
            self.result,
        ):
            step()
        return self.out

    # ---- who is sending ------------------------------------------------------------
    def setup(self) -> None:
        assigned = [e for e in self.events if e.kind == PRODUCER_ID_ASSIGNED]
        produce_requests = self._produce_requests()
        if assigned:
            first = assigned[0]
            self.at = self._index(first)
            self.say(
                _SETUP,
                f"The producer registered with the post office and got sender number "
                f"{first.get('producer_id')} (producer id {first.get('producer_id')}, "
                f"epoch {first.get('producer_epoch', 0)}), so every letter carried it "
                "together with a sequence number per partition.",
            )
        elif produce_requests and all(_no_pid(e.get("producer_id")) for e in produce_requests):
            self.at = self._index(produce_requests[0]) - 0.5
            self.say(
                _SETUP,
                "Idempotence was off, so the letters carried no sender number and no "
                "sequence number (producer id -1), and the post office had nothing to "
                "recognise a resent letter by.",
            )

    # ---- each produce request, its fault, and what the broker did ---------------------
    def _produce_requests(self) -> list[Event]:
        return [e for e in self.events if e.kind == REQUEST_SENT and e.get("api", PRODUCE) in (PRODUCE, None)]

    def requests(self) -> None:
        attempts = self.attempts
        faulted = [a for a in attempts if a.fault is not None]
        detailed_faults = faulted[:DETAILED_FAULTS]
        if len(faulted) > DETAILED_FAULTS:
            self.at = faulted[0].position - 0.5
            kinds: dict[str, int] = {}
            for a in faulted:
                kinds[_fault_words(a.fault)] = kinds.get(_fault_words(a.fault), 0) + 1
            summary = ", ".join(f"{n} × {k}" for k, n in kinds.items())
            self.say(
                _FAULT + 1,
                f"{len(faulted)} requests met a fault on the way ({summary}); the first few are described here.",
            )
        retry_sentences = 0
        delays = [a for a in detailed_faults if a.fault.get("action") == DELAY]
        skip_faults: set[int] = set()
        if len(delays) > 1:  # one sentence for a run of held-up receipts
            self.at = delays[0].position
            numbers = ", ".join(str(a.request.get("request_no")) for a in delays)
            letters = ", ".join(_values(a.request, self.names) for a in delays)
            self.say(
                _FAULT - 2,
                f"The receipts for requests {numbers} ({letters}) were held up "
                f"(delayed produce responses, {delays[0].fault.get('delay_ms')} ms).",
            )
            detailed_faults = [a for a in detailed_faults if a not in delays]
            skip_faults = {a.index for a in delays}
        detailed = {a.index for a in detailed_faults}
        for a in attempts:
            request, fault, decision = a.request, a.fault, a.decision
            earlier = attempts[a.first_send] if a.first_send is not None and a.first_send != a.index else None
            label = _request_label(request, self.names)
            self.at = a.position
            if a.index in skip_faults:
                pass
            elif a.index in detailed:
                self._fault_sentence(a, label)
            elif earlier is not None and decision is not None and retry_sentences < DETAILED_FAULTS:
                if self._retry_sentence(a, earlier):
                    retry_sentences += 1
            elif decision is not None and decision.get("result") == REJECTED and fault is None:
                self._rejection_sentence(a, label)

    def _stored_before(self, attempt: Attempt) -> bool:
        """Whether an earlier send of the same records was stored (or found stored)."""
        previous = attempt.previous_send
        while previous is not None:
            if self.attempts[previous].stored:
                return True
            previous = self.attempts[previous].previous_send
        return False

    def _fault_sentence(self, attempt: Attempt, label: str) -> None:
        fault, decision = attempt.fault, attempt.decision
        action = fault.get("action")
        if action == DROP_RESPONSE:
            if decision is not None and decision.get("result") == APPENDED:
                self.say(
                    _FAULT,
                    f"The post office shelved {label} at offset {decision.get('base_offset')}, "
                    "but its receipt was lost on the way back (the produce response never "
                    "arrived), so the producer could not know it was stored.",
                )
            elif decision is not None and decision.get("result") == DUPLICATE:
                self.say(
                    _FAULT,
                    f"The post office recognised {label} as already shelved at offset "
                    f"{decision.get('base_offset')}, but that receipt was lost too.",
                )
            else:
                self.say(
                    _FAULT, f"The receipt for {label} was lost on the way back (the produce response never arrived)."
                )
        elif action == DROP_REQUEST:
            self.say(
                _FAULT,
                f"{cap(label)} was lost on the way to the post office: the broker never "
                "saw it, so nothing was stored and the producer had to send it again.",
            )
        elif action == ERROR:
            error = fault.get("error") or (decision.get("error") if decision else None) or "an error"
            self.say(_FAULT, f"The post office refused {label} with {error}; {_consequence(attempt)}")
        elif action == DELAY:
            self.say(
                _FAULT,
                f"The receipt for {label} was held up for {fault.get('delay_ms')} ms (a delayed produce response).",
            )
        elif action == DISCONNECT:
            self.say(
                _FAULT,
                f"The line to the post office broke while {label} was under way "
                "(the connection closed); requests in flight on it are retried.",
            )

    def _retry_sentence(self, attempt: Attempt, earlier: Attempt) -> bool:
        request, decision = attempt.request, attempt.decision
        result = decision.get("result")
        first = earlier.request
        values = _values(request, self.names)
        same_identity = (
            not _no_pid(request.get("producer_id"))
            and request.get("producer_id") == first.get("producer_id")
            and request.get("producer_epoch") == first.get("producer_epoch")
            and request.get("base_sequence") == first.get("base_sequence")
        )
        if result == DUPLICATE:
            self.say(
                _RETRY,
                f"The producer sent {values} again with the same PID, epoch and sequence "
                f"({_identity(request)}); the post office found it in its notebook of recent batches "
                f"(up to the last {BATCHES_REMEMBERED} batches per producer and partition) and answered with the original offset "
                f"{decision.get('base_offset')} without storing it again.",
            )
            return True
        if result == APPENDED:
            if not self._stored_before(attempt):
                self.say(
                    _RETRY,
                    f"The producer sent {values} again ({_identity(request)}), and this time "
                    f"the post office stored it, at offset {decision.get('base_offset')}.",
                )
            elif _no_pid(request.get("producer_id")):
                self.say(
                    _RETRY,
                    f"The producer sent {values} again; without idempotence the retry "
                    "carried no producer id, so the post office could not recognise it and "
                    f"stored {values} again at offset {decision.get('base_offset')}.",
                )
            elif same_identity:
                self.say(
                    _RETRY,
                    f"The producer sent {values} again with the same numbers ({_identity(request)}), "
                    "but the post office no longer remembered this sender (its producer state "
                    "had expired or been lost), so it stored "
                    f"{values} again at offset {decision.get('base_offset')}.",
                )
            else:
                self.say(
                    _RETRY,
                    f"The producer sent {values} again under new numbers "
                    f"({_identity(request)}), and the post office stored it at offset "
                    f"{decision.get('base_offset')}.",
                )
            return True
        if result == REJECTED:
            error = str(decision.get("error") or "")
            if "OUT_OF_ORDER" in error and same_identity:
                self.say(
                    _REJECT,
                    f"The post office refused the retry of {values} ({_identity(request)}) "
                    f"with {error}: that batch is not in its notebook and is not the "
                    f"next number in line. {self._nothing_stored(request)}{self._delivered_all_the_same(attempt)}",
                )
            else:
                self._rejection_sentence(attempt, f"the retry of {values}")
            return True
        return False

    def _nothing_stored(self, request: Event) -> str:
        """What a refused request left on the shelf, without contradicting the log: its
        letters may be there, stored by another send (before or after this one)."""
        copies = [self.state.first_copy(msg) for msg in request.get("msgs") or ()]
        if copies and all(copy is not None for copy in copies):
            offsets = ", ".join(str(copy.offset) for copy in copies)
            which = "the letter is" if len(copies) == 1 else "its letters are"
            where = "offset" if len(copies) == 1 else "offsets"
            return f"This request stored nothing; {which} on the shelf ({where} {offsets}), stored by another send."
        return "Nothing was stored."

    def _delivered_all_the_same(self, attempt: Attempt) -> str:
        """Why the delivery table calls a refused letter delivered with no offset: a later answer
        acknowledged it implicitly (idemlab.implicit_acks), and it is on the shelf."""
        refused_at = attempt.decision_position
        if refused_at is None:
            return ""
        answers = {
            msg: at
            for msg in attempt.request.get("msgs") or ()
            if self.state.first_copy(msg) is not None
            and (at := acknowledging_answer(self.events, self.state, msg, refused_at)) is not None
        }
        if not answers:
            return ""
        by = set(answers.values())
        answer = self.events[by.pop()] if len(by) == 1 else None
        send = None if answer is None else self.state.attempt_of(answer.get("request_no"), answer.get("partition"))
        later = (
            f"the answer to {_values(send.request, self.names)}" if send is not None else "the answer to a later letter"
        )
        names = ", ".join(letter(msg, None, self.names) for msg in answers)
        return (
            f" Yet {names} {'was' if len(answers) == 1 else 'were'} reported delivered, with no offset: when {later} "
            "came back OK, librdkafka counted every earlier letter it had not acknowledged yet as delivered too, "
            "since the broker takes a sender's numbers only in order."
        )

    def _rejection_sentence(self, attempt: Attempt, label: str) -> None:
        error = str(attempt.decision.get("error") or "an error")
        if "OUT_OF_ORDER" in error:
            self.say(
                _REJECT,
                f"The post office refused {label} with {error}: it only shelves the next "
                "number in line from a sender, and this number was not it (an earlier "
                "letter was missing, or the batch is not in its notebook). "
                f"{self._nothing_stored(attempt.request)}{self._delivered_all_the_same(attempt)}",
            )
        elif "INVALID_PRODUCER_EPOCH" in error:
            self.say(
                _REJECT,
                f"The post office refused {label} with INVALID_PRODUCER_EPOCH: it carried an "
                "older epoch than the sender's latest. Nothing was stored.",
            )
        else:
            self.say(_REJECT, f"The post office refused {label} with {error}; {_consequence(attempt)}")

    # ---- producer-side events --------------------------------------------------------
    def epoch_bumps(self) -> None:
        bumps = [e for e in self.events if e.kind == EPOCH_BUMP]
        for bump in bumps[:2]:
            self.at = self._index(bump)
            reason = bump.get("reason")
            because = f" ({reason})" if reason else ""
            self.say(
                _BUMP,
                # No "after its requests in flight finished": librdkafka drains first, the
                # Java client bumps at once (docs/java-client-findings.md J4).
                f"The producer bumped its "
                f"epoch from {bump.get('from_epoch')} to {bump.get('to_epoch')}{because}: same "
                f"sender number (PID {bump.get('producer_id')}), a fresh page in the notebook, "
                "and its letters restart at sequence 0.",
            )
        if len(bumps) > 2:
            self.at = self._index(bumps[2])
            self.say(_BUMP, f"In all the producer bumped its epoch {len(bumps)} times.")

    def restarts(self) -> None:
        restarts = [i for i, e in enumerate(self.events) if e.kind == PRODUCER_RESTART]
        for index in restarts[:2]:
            self.at = index
            old = self.events[index].get("old_producer_id")
            new = next((e for e in self.events[index + 1 :] if e.kind == PRODUCER_ID_ASSIGNED), None)
            text = "The application closed its producer and created a new one"
            if new is not None:
                text += (
                    f", which registered as a new sender: PID {new.get('producer_id')}, epoch "
                    f"{new.get('producer_epoch', 0)}"
                )
                if old is not None and not _no_pid(old):
                    text += f" instead of PID {old}"
            text += (
                ". The post office cannot link the new sender's letters to the old ones, so "
                "anything sent again is a new record to it."
            )
            self.say(_RESTART, text)

    def broker_actions(self) -> None:
        actions = [(i, e) for i, e in enumerate(self.events) if e.kind == BROKER_ACTION]
        last: dict[Any, str] = {}
        told = 0
        for index, event in actions:
            if told >= 3:
                break
            self.at = index
            action, broker = str(event.get("action")), event.get("broker_id")
            name = f"post office {broker}" if broker is not None else "the post office"
            text = None
            if action == "stop":
                text = (
                    f"{cap(name)} closed cleanly (broker {broker} shut down); a clean shutdown "
                    "writes a producer snapshot, which holds only the last batch per sender."
                )
            elif action == "kill":
                text = f"{cap(name)} was shut down abruptly (broker {broker} killed)."
                if self._later_request_elsewhere(index, broker):
                    text += (
                        " Another post office took over the shelf (a new partition leader); it "
                        "keeps the notebook entries of every batch that was replicated to it."
                    )
            elif action == "start":
                before = last.get(broker)
                if before == "kill":
                    text = (
                        f"{cap(name)} opened again after recovering its shelves; its notebook holds "
                        "only the last batch per sender (as a real Kafka 4.4 broker does after SIGKILL)."
                    )
                elif before == "stop":
                    text = f"{cap(name)} opened again with only what its snapshot held: the last batch per sender."
                else:
                    text = f"{cap(name)} opened again (broker {broker} started)."
            elif action == "leader_change":
                text = (
                    "Another post office took over the shelf (leader change); it keeps the notebook "
                    "entries of every batch that was replicated to it."
                )
            last[broker] = action
            if text:
                self.say(_BROKER, text)
                told += 1

    def _later_request_elsewhere(self, index: int, broker: Any) -> bool:
        return any(e.kind == REQUEST_SENT and e.get("broker") not in (None, broker) for e in self.events[index + 1 :])

    def refusals(self) -> None:
        refused = [e for e in self.events if e.kind == PRODUCE_REFUSED]
        if refused:
            first = refused[0]
            self.at = self._index(first)
            error = first.get("error") or "an error"
            shown = ", ".join(str(e.get("value")) for e in refused[:3] if e.get("value") is not None)
            what = shown or _count(len(refused), "message")
            why = (
                " after a fatal error, produce() fails at once"
                if error == "_FATAL"
                else f" {_first_line(first.get('message') or '')}".rstrip()
            )
            self.say(_FATAL, f"The producer would not take {what} ({error}):{why}.")

    def fatal(self) -> None:
        event = next((e for e in self.events if e.kind == FATAL_ERROR), None)
        error = event.get("error") if event is not None else None
        message = (event.get("message") if event is not None else None) or self.trace.fatal_error
        if event is None and not self.trace.fatal_error:
            return
        self.at = self._index(event) if event is not None else len(self.events)
        name = f" ({error})" if error else ""
        detail = f": {_first_line(message)}" if message else ""
        self.say(
            _FATAL,
            f"The producer stopped with a fatal error{name}{detail}. It refuses new "
            "messages; the application must create a new producer (a new sender number) "
            "and decide itself which messages to send again, knowing that some reported "
            "as failed may be stored.",
        )

    def run_error(self) -> None:
        error = getattr(self.trace, "run_error", None)
        if not error:
            return
        self.at = len(self.events)
        if "Failed to create producer" in str(error):
            self.say(
                _FATAL,
                # quoted as the lessons quote a client's message (lesson 3)
                f"Your secretary (the client library) refused the registration form: the producer was never created: "
                f'"{_first_line(error)}". Nothing was sent and nothing was stored.',
            )
        else:
            self.say(_FATAL, f"The run stopped early: {_first_line(error)}.")

    def _failure(self, msg: int) -> Failure | None:
        """What a failed report said beyond its error (a Java exception's message)."""
        if self._failures is None:
            self._failures = delivery_failures(self.state)
        return self._failures.get(msg)

    # ---- what ended up on the shelf ------------------------------------------------------
    def result(self) -> None:
        outcome = summarize(self.trace, self.state)
        self.at = len(self.events) + 1
        records = sorted(self.trace.stored, key=lambda r: (r.partition, r.offset))
        by_msg: dict[int, list] = {}
        for record in records:
            by_msg.setdefault(record.msg, []).append(record)
        values = {d.msg: letter(d.msg, d.value, self.names) for d in self.trace.deliveries}
        for msg in outcome.duplicate_msgs[:2]:
            offsets = ", ".join(str(r.offset) for r in by_msg.get(msg, []))
            self.say(
                _RESULT,
                f"{values.get(msg, f'message {msg}')} is on the shelf "
                f"{len(by_msg.get(msg, []))} times (offsets {offsets}): a duplicate.",
            )
        for msg in outcome.reordered_msgs[:2]:
            record = by_msg.get(msg, [None])[0]
            where = f" (offset {record.offset})" if record is not None else ""
            self.say(
                _RESULT,
                f"{values.get(msg, f'message {msg}')} was shelved after a letter that was "
                f"sent later{where}: the order changed.",
            )
        reports = {d.msg: d for d in self.trace.deliveries}
        for msg in outcome.failed_but_stored[:2]:
            report = reports.get(msg)
            record = by_msg.get(msg, [None])[0]
            where = f" at offset {record.offset}" if record is not None else ""
            error = report.error if report is not None else "an error"
            failure = self._failure(msg)
            broker, message = (broker_words(failure), message_words(failure)) if failure is not None else ("", "")
            self.say(
                _RESULT,
                f"{values.get(msg, f'message {msg}')} was reported as failed ({error}{broker}) but "
                f"it is stored{where}: failed does not mean absent.{message}",
            )
        for msg in outcome.delivered_but_not_stored[:2]:
            self.say(
                _RESULT,
                f"{values.get(msg, f'message {msg}')} was reported delivered but is not in the log: it was lost.",
            )
        lost_unreported = [m for m in outcome.lost_msgs if m not in outcome.delivered_but_not_stored][:2]
        for msg in lost_unreported:
            report = reports.get(msg)
            error = f" ({report.error})" if report is not None and report.error else ""
            failure = self._failure(msg)
            broker, message = (broker_words(failure), message_words(failure)) if failure is not None else ("", "")
            self.say(_RESULT - 1, f"{values.get(msg, f'message {msg}')} is not in the log{error}{broker}.{message}")
        if outcome.resent_values:
            shown = ", ".join(outcome.resent_values[:4])
            stored_twice = [v for v in outcome.resent_values if sum(1 for r in records if r.value == v) > 1]
            tail = " and the broker stored each send as a separate record" if stored_twice else ""
            self.say(
                _RESULT,
                f"The application itself sent {shown} more than once{tail}: "
                "idempotence does not deduplicate application re-sends.",
            )
        if (
            outcome.sent
            and records
            and not outcome.duplicates
            and not outcome.lost
            and not outcome.reordered
            and not outcome.failed_but_stored
            and not outcome.resent_values
        ):
            self.say(
                _RESULT,
                f"Every one of the {_count(outcome.sent, 'letter')} is on the shelf exactly "
                "once, in the order it was sent.",
            )


# ---- helpers --------------------------------------------------------------------------


def _no_pid(value: Any) -> bool:
    return value is None or value == NO_PRODUCER_ID


def _values(request: Event, names: dict[int, str] | None = None) -> str:
    values = list(request.get("values") or [])
    msgs = list(request.get("msgs") or [])
    if names and values and len(msgs) == len(values):
        values = [letter(msg, value, names) for msg, value in zip(msgs, values, strict=True)]
    if not values:
        msgs = list(request.get("msgs") or [])
        values = [f"message {m}" for m in msgs]
    if not values:
        return "the batch"
    if len(values) > 3:
        return f"{values[0]}…{values[-1]} ({len(values)} messages)"
    return ", ".join(str(v) for v in values)


def _identity(request: Event) -> str:
    pid = request.get("producer_id")
    if _no_pid(pid):
        return "no producer id"
    parts = [f"PID {pid}", f"epoch {request.get('producer_epoch')}"]
    base, last = request.get("base_sequence"), last_sequence(request)
    if base is not None:
        parts.append(f"sequence {base}" if last in (None, base) else f"sequences {base}–{last}")
    return ", ".join(parts)


def _request_label(request: Event, names: dict[int, str] | None = None) -> str:
    number = request.get("request_no")
    head = f"request {number}" if number is not None else "a request"
    return f"{head} ({_values(request, names)}, {_identity(request)})"


def _fault_words(fault: Event) -> str:
    action = fault.get("action")
    if action == ERROR:
        return f"error {fault.get('error')}"
    return {DROP_RESPONSE: "lost receipt", DROP_REQUEST: "lost request", DELAY: "delay", DISCONNECT: "disconnect"}.get(
        str(action), str(action)
    )


def _consequence(attempt: Attempt) -> str:
    """What came of a refused send, from the events that followed it: stored all the same,
    sent again, or not sent again."""
    decision = attempt.decision
    if decision is not None and decision.get("result") == APPENDED:
        return f"the batch was stored at offset {decision.get('base_offset')} all the same."
    if attempt.next_send is not None:
        return "nothing was stored and the producer tried again."
    return "nothing was stored and the producer did not send it again."


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _first_line(text: Any) -> str:
    line = str(text).splitlines()[0] if str(text) else ""
    return line if len(line) <= 200 else line[:197] + "..."
