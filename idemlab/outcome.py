"""What a run amounts to, in Jepsen's words: duplicate, lost, reordered — plus the
cases where the delivery report misleads the application."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from idemlab.model import NO_REPORT, Delivery, StoredRecord, Trace


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
    producer_ids: tuple[int, ...] = ()
    fatal_error: str | None = None
    run_error: str | None = None
    errors: dict[str, int] = field(default_factory=dict)

    def sentence(self) -> str:
        """The outcome line in plain words."""
        parts = [
            f"{self.sent} sent",
            f"{self.stored} stored",
            _count(self.duplicates, "duplicate"),
            f"{self.lost} lost",
            f"{self.reordered} reordered",
        ]
        text = ", ".join(parts) + "."
        if self.failed_but_stored:
            text += f" {_count(len(self.failed_but_stored), 'message')} reported failed but stored."
        if self.delivered_but_not_stored:
            text += f" {_count(len(self.delivered_but_not_stored), 'message')} reported delivered but not stored."
        if self.resent_values:
            text += " The application itself sent " + ", ".join(self.resent_values) + " more than once."
        if self.fatal_error:
            text += f" Fatal error: {self.fatal_error}."
        if self.run_error:
            text += f" The run stopped early: {self.run_error}"
        return text


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summarize(trace: Trace) -> Outcome:
    return summarize_parts(trace.stored, trace.deliveries, trace.fatal_error, trace.run_error)


def summarize_parts(
    stored: list[StoredRecord], deliveries: list[Delivery], fatal_error: str | None = None, run_error: str | None = None
) -> Outcome:
    copies = Counter(record.msg for record in stored)
    duplicate_msgs = tuple(sorted(msg for msg, n in copies.items() if msg is not None and n > 1))
    stored_msgs = set(copies)
    lost_msgs = tuple(d.msg for d in deliveries if d.msg not in stored_msgs)
    failed_but_stored = tuple(d.msg for d in deliveries if d.error not in (None, NO_REPORT) and d.msg in stored_msgs)
    delivered_but_not_stored = tuple(d.msg for d in deliveries if d.ok and d.msg not in stored_msgs)
    sent_values = Counter(d.value for d in deliveries)
    errors = Counter(d.error for d in deliveries if d.error is not None)
    return Outcome(
        sent=len(deliveries),
        stored=len(stored),
        duplicates=sum(n - 1 for msg, n in copies.items() if msg is not None and n > 1),
        lost=len(lost_msgs),
        reordered=len(reordered_msgs(stored)),
        delivered_ok=sum(1 for d in deliveries if d.ok),
        delivery_failed=sum(1 for d in deliveries if d.error not in (None, NO_REPORT)),
        no_report=sum(1 for d in deliveries if d.error == NO_REPORT),
        duplicate_msgs=duplicate_msgs,
        lost_msgs=lost_msgs,
        reordered_msgs=reordered_msgs(stored),
        failed_but_stored=failed_but_stored,
        delivered_but_not_stored=delivered_but_not_stored,
        resent_values=tuple(sorted(v for v, n in sent_values.items() if n > 1)),
        producer_ids=tuple(sorted({r.producer_id for r in stored if r.producer_id >= 0})),
        fatal_error=fatal_error,
        run_error=run_error,
        errors=dict(errors),
    )


def reordered_msgs(stored: list[StoredRecord]) -> tuple[int, ...]:
    """Messages stored (first copy) after a message that was produced later, per partition."""
    latest: dict[int, int] = {}
    seen: set[int] = set()
    out = []
    for record in sorted(stored, key=lambda r: (r.partition, r.offset)):
        if record.msg is None or record.msg in seen:
            continue
        seen.add(record.msg)
        highest = latest.get(record.partition, 0)
        if record.msg < highest:
            out.append(record.msg)
        latest[record.partition] = max(highest, record.msg)
    return tuple(out)
