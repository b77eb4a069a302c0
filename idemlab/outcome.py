"""What a run amounts to, in Jepsen's words: duplicate, lost, reordered — plus the
cases where the delivery report misleads the application."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any

from idemlab.model import (
    NO_REPORT,
    REJECTED,
    Delivery,
    StoredRecord,
    Trace,
)


@dataclass(frozen=True)
class Outcome:
    sent: int
    stored: int
    duplicates: int
    lost: int
    reordered: int
    delivered_ok: int
    delivery_failed: int
    no_report: int
    duplicate_msgs: tuple[int, ...] = ()
    lost_msgs: tuple[int, ...] = ()
    reordered_msgs: tuple[int, ...] = ()
    failed_but_stored: tuple[int, ...] = ()
    delivered_but_not_stored: tuple[int, ...] = ()
    resent_values: tuple[str, ...] = ()
    resent_stored: tuple[tuple[str, int], ...] = ()  # (value, how many of its sends are in the log), 2 or more
    producer_ids: tuple[int, ...] = ()
    fatal_error: str | None = None
    run_error: str | None = None
    errors: dict[str, int] = field(default_factory=dict)
    duplicates_caught: int = 0  # retried batches the broker recognised and did not store again
    produced: int | None = None  # produce() calls so far (None: every call, `sent`)
    stored_known: bool = True  # False: the log was never read back; nothing is called lost
    per_message: bool = True  # False: a very large run's reports were counted, not traced

    def sentence(self) -> str:
        """The outcome line in plain words; each counter says what it counts: produce()
        calls, delivery reports that said delivered, records in the log."""
        produced = self.sent if self.produced is None else self.produced
        parts = [
            f"{produced} produced",
            f"{self.delivered_ok} acknowledged",
            f"{self.stored} stored",
            _count(self.duplicates, "duplicate"),
            f"{self.lost} lost",
            f"{self.reordered} reordered",
        ]
        if not self.stored_known:
            parts[2:] = ["stored log unknown (it could not be read back)"]
        if self.resent_stored and self.stored_known:
            # The shelf holds a value several times by the application's own sends: say so before the
            # count of duplicates, which counts retries only and would otherwise read as a contradiction.
            parts[3] = _count(self.duplicates, "retry duplicate")
            text = ", ".join(parts[:3]) + f": {_resent_words(self.resent_stored)}. " + ", ".join(parts[3:]) + "."
        else:
            text = ", ".join(parts) + "."
        if self.duplicates_caught:
            # not "duplicate": the count above names copies stored twice, these were stored once
            n = self.duplicates_caught
            retries, it = ("1 retry", "it") if n == 1 else (f"{n} retries", "them")
            text += f" The broker recognised {retries} of what it already had and did not store {it} again."
        if self.failed_but_stored:
            text += f" {_count(len(self.failed_but_stored), 'message')} reported failed but stored."
        if self.delivered_but_not_stored:
            text += f" {_count(len(self.delivered_but_not_stored), 'message')} reported delivered but not stored."
        if not self.per_message and self.delivery_failed:
            text += (
                f" {self.delivery_failed} delivery reports said failed; in a run this large the reports"
                " are counted, not kept one by one, so which of those were stored anyway is not shown."
            )
        stored_once = [v for v in self.resent_values if v not in dict(self.resent_stored)]
        if stored_once:
            text += " The application itself sent " + ", ".join(stored_once) + " more than once."
        if self.fatal_error:
            text += f" Fatal error: {self.fatal_error}."
        if self.run_error:
            text += f" The run stopped early: {self.run_error}"
        return text


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


_TIMES = {2: "twice", 3: "three times"}


def _resent_words(resent_stored: tuple[tuple[str, int], ...]) -> str:
    """What the shelf shows of the application's re-sends: "m1, m2 each twice, because ..."."""
    copies = {n for _, n in resent_stored}
    values = [v for v, _ in resent_stored]
    if len(copies) == 1:
        times = _TIMES.get(copies.pop(), f"{max(n for _, n in resent_stored)} times")
        shown = ", ".join(values) + (f" each {times}" if len(values) > 1 else f" {times}")
    else:
        shown = ", ".join(f"{v} {_TIMES.get(n, f'{n} times')}" for v, n in resent_stored)
    them, letters = ("them", "new letters, not retries") if len(values) > 1 else ("it", "a new letter, not a retry")
    return (
        f"{shown}, because the application sent {them} more than once ({letters}, which idempotence never deduplicates)"
    )


def summarize(trace: Trace, state=None) -> Outcome:
    """The run's outcome; `state`, when the caller has folded the trace already
    (idemlab.timeline.fold), saves folding it again."""
    state = state if state is not None else _fold(trace)
    if trace.message_counts is not None:
        return _summarize_counted(trace, state.duplicates_caught)
    outcome = summarize_parts(
        trace.stored, state.deliveries(), trace.fatal_error, trace.run_error, state.duplicates_caught
    )
    if not trace.stored_known:  # a real broker died and its log was never read: no verdicts on it
        outcome = replace(outcome, lost=0, lost_msgs=(), delivered_but_not_stored=(), stored_known=False)
    return outcome


def _fold(trace: Trace):
    from idemlab.timeline import fold  # the fold builds its snapshots' outcome here

    return fold(trace.events)


def _summarize_counted(trace: Trace, caught: int) -> Outcome:
    """The outcome of a run whose produce() calls and delivery reports were counted, not
    traced (a very large run): one pass over the stored log in log order, with a bitmap
    of the messages seen rather than a set, so a million records need a megabyte.  Which
    failed messages were stored anyway is not known here; the sentence says so."""
    counts = trace.message_counts or {}
    produced = counts.get("produce", 0)
    errors = {kind.split(":", 1)[1]: n for kind, n in counts.items() if kind.startswith("delivery:")}
    seen = bytearray(produced + 2)
    latest: dict[int, int] = {}
    stored = duplicates = 0
    duplicate_msgs: list[int] = []
    reordered: list[int] = []
    for record in trace.stored:  # StoredLog yields partition by partition, offsets ascending
        stored += 1
        msg = record.msg
        if msg is None or msg >= len(seen):
            continue
        if seen[msg]:
            duplicates += 1
            if seen[msg] == 1:
                duplicate_msgs.append(msg)
            seen[msg] = 2
            continue
        seen[msg] = 1
        highest = latest.get(record.partition, 0)
        if msg < highest:
            reordered.append(msg)
        latest[record.partition] = max(highest, msg)
    distinct = sum(1 for flag in seen[1 : produced + 1] if flag)
    return Outcome(
        sent=produced,
        stored=stored,
        duplicates=duplicates,
        lost=produced - distinct,
        reordered=len(reordered),
        delivered_ok=counts.get("delivery", 0),
        delivery_failed=sum(errors.values()),
        no_report=max(0, produced - counts.get("delivery", 0) - sum(errors.values())),
        duplicate_msgs=tuple(sorted(duplicate_msgs)),
        reordered_msgs=tuple(reordered),
        fatal_error=trace.fatal_error,
        run_error=trace.run_error,
        errors=errors,
        duplicates_caught=caught,
        per_message=False,
    )


_LOG_ORDER = attrgetter("partition", "offset")


def repeats(stored: Iterable[StoredRecord]) -> dict[tuple[int, int], StoredRecord]:
    """ "Stored twice", in one place: each record that repeats a message already in the log
    (read partition by partition, offsets ascending), by (partition, offset), mapped to
    that message's first copy.  Records of unknown message (msg None) never repeat."""
    return _repeats(sorted(stored, key=_LOG_ORDER))


def _repeats(records: list[StoredRecord]) -> dict[tuple[int, int], StoredRecord]:
    """repeats() of records already in log order."""
    first: dict[int, StoredRecord] = {}
    out: dict[tuple[int, int], StoredRecord] = {}
    for record in records:
        msg = record.msg
        if msg is None:
            continue
        earlier = first.setdefault(msg, record)
        if earlier is not record:
            out[(record.partition, record.offset)] = earlier
    return out


def summarize_parts(
    stored: list[StoredRecord],
    deliveries: list[Delivery],
    fatal_error: str | None = None,
    run_error: str | None = None,
    caught: int = 0,
    produced: int | None = None,
) -> Outcome:
    records = sorted(stored, key=_LOG_ORDER)  # once, for the two verdicts that read the log in order
    repeated = _repeats(records)
    reordered = _reordered(records)
    duplicate_msgs = tuple(sorted({first.msg for first in repeated.values()}))
    stored_msgs = {record.msg for record in stored}
    # One pass over the reports (a large run has one per message).
    lost_msgs: list[int] = []
    failed_but_stored: list[int] = []
    delivered_but_not_stored: list[int] = []
    delivered_ok = delivery_failed = no_report = 0
    errors: dict[str, int] = {}
    seen_values: set[str] = set()
    resent_values: set[str] = set()
    for d in deliveries:
        msg, error, value = d.msg, d.error, d.value
        is_stored = msg in stored_msgs
        if not is_stored:
            lost_msgs.append(msg)
        if error is None:
            delivered_ok += 1
            if not is_stored:
                delivered_but_not_stored.append(msg)
        else:
            errors[error] = errors.get(error, 0) + 1
            if error == NO_REPORT:
                no_report += 1
            else:
                delivery_failed += 1
                if is_stored:
                    failed_but_stored.append(msg)
        if value in seen_values:
            resent_values.add(value)
        else:
            seen_values.add(value)
    return Outcome(
        sent=len(deliveries),
        stored=len(stored),
        duplicates=len(repeated),
        lost=len(lost_msgs),
        reordered=len(reordered),
        delivered_ok=delivered_ok,
        delivery_failed=delivery_failed,
        no_report=no_report,
        duplicate_msgs=duplicate_msgs,
        lost_msgs=tuple(lost_msgs),
        reordered_msgs=reordered,
        failed_but_stored=tuple(failed_but_stored),
        delivered_but_not_stored=tuple(delivered_but_not_stored),
        resent_values=tuple(sorted(resent_values)),
        resent_stored=_resent_stored(stored, resent_values),
        producer_ids=tuple(sorted({r.producer_id for r in stored if r.producer_id >= 0})),
        fatal_error=fatal_error,
        run_error=run_error,
        errors=errors,
        duplicates_caught=caught,
        produced=produced,
    )


def _resent_stored(stored: list[StoredRecord], resent_values: set[str]) -> tuple[tuple[str, int], ...]:
    """Each value the application sent more than once with how many of those sends are in the log
    (distinct messages: a retry's second copy is a duplicate, counted elsewhere), when that is 2 or more."""
    sends: dict[str, set[int]] = {}
    for record in stored:
        if record.value in resent_values and record.msg is not None:
            sends.setdefault(record.value, set()).add(record.msg)
    return tuple((value, len(msgs)) for value, msgs in sorted(sends.items()) if len(msgs) > 1)


def reordered_msgs(stored: list[StoredRecord]) -> tuple[int, ...]:
    """Messages stored (first copy) after a message that was produced later, per partition."""
    return _reordered(sorted(stored, key=_LOG_ORDER))


def _reordered(records: list[StoredRecord]) -> tuple[int, ...]:
    """reordered_msgs() of records already in log order."""
    latest: dict[int, int] = {}
    seen: set[int] = set()
    out = []
    for record in records:
        msg = record.msg
        if msg is None or msg in seen:
            continue
        seen.add(msg)
        highest = latest.get(record.partition, 0)
        if msg < highest:
            out.append(msg)
        else:
            latest[record.partition] = msg
    return tuple(out)


# ---- every fact about a run, by name (lessons claim these in [expect]) ----------------
OUTCOME_KEYS = tuple(Outcome.__dataclass_fields__)
DERIVED_KEYS = {
    "fatal": "true when the producer hit a fatal error",
    "stored_values": "the stored values in log order (partition, then offset)",
    "epochs": "the distinct producer epochs in the stored log, ascending (idempotent records only)",
    "epoch_bumps": "how many times the producer bumped its epoch",
    "dedup_hits": "how many batches the broker answered as duplicates (not stored again); the same as duplicates_caught",
    "broker_errors": "the distinct errors the broker rejected batches with, sorted",
    "broker_errors_include": "errors that must be among the broker's rejections (others may occur too)",
    "delivery_errors": "the distinct delivery-report errors the application saw, sorted",
    "value_duplicates": "stored records whose value already appears earlier in the same partition "
    "(counts application re-sends too, unlike duplicates)",
    "producer_id_assignments": "how many producer ids the producer was given (InitProducerId answers)",
    "producer_restarts": "how many times the application re-created its producer",
    "config_error": "text that must appear in the error refusing the producer configuration",
}


def facts(trace: Trace, outcome: Outcome | None = None, state=None) -> dict[str, Any]:
    """Every fact a lesson may claim about a run ([expect] keys): the Outcome's fields
    and the DERIVED_KEYS below, all from the trace's fold (idemlab.timeline)."""
    state = state if state is not None else _fold(trace)
    outcome = outcome or summarize(trace, state)
    found: dict[str, Any] = {name: getattr(outcome, name) for name in OUTCOME_KEYS}
    records = sorted(trace.stored, key=lambda r: (r.partition, r.offset))
    decisions = [a.decision for a in state.paired_attempts() if a.decision is not None]
    seen: dict[int, set] = {}
    value_dups = 0
    for record in records:
        values = seen.setdefault(record.partition, set())
        value_dups += record.value in values
        values.add(record.value)
    found.update(
        fatal=bool(trace.fatal_error) or bool(state.fatal_errors),
        stored_values=[r.value for r in records],
        epochs=sorted({r.producer_epoch for r in records if r.producer_id >= 0}),
        epoch_bumps=state.epoch_bumps,
        duplicates_caught=state.duplicates_caught,
        dedup_hits=state.duplicates_caught,
        broker_errors=sorted(
            {str(e.get("error")) for e in decisions if e.get("result") == REJECTED and e.get("error")}
        ),
        delivery_errors=sorted({str(r.get("error")) for r in state.reports if r.get("error")}),
        value_duplicates=value_dups,
        producer_id_assignments=state.producer_id_assignments,
        producer_restarts=state.producer_restarts,
        config_error=_config_error_text(trace, state),
    )
    found["broker_errors_include"] = found["broker_errors"]
    return found


def _config_error_text(trace: Trace, state) -> str:
    texts = [trace.run_error or "", trace.fatal_error or ""]
    for detail in state.complaints:
        texts += [str(detail.get("message") or ""), str(detail.get("error") or "")]
    return "\n".join(t for t in texts if t)
