"""Every trace event in words, in two registers, from one place.

- PLAIN: a short sentence a learner reads (the diagram labels, the step caption, the
  events table, the presenter view);
- TERSE: one line in Kafka terms for the terminal account of `python -m idemlab run`.

Pure: no streamlit.
"""

from __future__ import annotations

from idemlab import model as m

PLAIN = "plain"
TERSE = "terse"


def describe(event: m.Event, register: str = PLAIN) -> str:
    return _terse(event) if register == TERSE else _plain(event)


def ids_text(producer_id: int | None, epoch: int | None = None, first_seq: int | None = None, last_seq=None) -> str:
    """The one way a letter's numbers are written: 'PID 1000 · epoch 0 · seq 0–2', or
    'no PID' without idempotence ('' when there is no producer id at all)."""
    if producer_id is None:
        return ""
    if producer_id == m.NO_PRODUCER_ID:
        return "no PID"
    parts = [f"PID {producer_id}"]
    if epoch is not None:
        parts.append(f"epoch {epoch}")
    if first_seq is not None and first_seq >= 0:
        last = first_seq if last_seq is None else last_seq
        parts.append(f"seq {span(first_seq, last)}")
    return " · ".join(parts)


def last_sequence(event: m.Event) -> int | None:
    """The last sequence of a request's or decision's batch: as the back end gave it, or
    (a hand-built event) counted from its records, wrapping as Kafka does."""
    base, last = event.get("base_sequence"), event.get("last_sequence")
    if last is None and base is not None and base >= 0:
        last = m.sequence_at(base, (event.get("record_count") or len(event.get("msgs") or ()) or 1) - 1)
    return last


def ids(event: m.Event) -> str:
    """ids_text of an event that carries producer ids (a request, a decision)."""
    return ids_text(
        event.get("producer_id"), event.get("producer_epoch"), event.get("base_sequence"), last_sequence(event)
    )


def values_text(event: m.Event) -> str:
    values = event.get("values") or ()
    return ", ".join(str(v) for v in values)


def _plain(event: m.Event) -> str:
    kind, get = event.kind, event.get
    if kind == m.PRODUCE_CALLED:
        return f"App calls produce({get('value')!s})"
    if kind == m.PRODUCE_REFUSED:
        return f"produce({get('value')}) refused: {get('error')}"
    if kind == m.REQUEST_SENT:
        if get("api") == m.INIT_PRODUCER_ID:
            return f"InitProducerId #{get('request_no')} (the registration: asks for a producer id)"
        attempt = get("attempt") or 1
        retry = f" — retry {attempt - 1}" if attempt > 1 else ""
        return f"Request #{get('request_no')}: Produce [{values_text(event)}] {ids(event)}{retry}".strip()
    if kind == m.FAULT_INJECTED:
        return fault_text(event)
    if kind == m.BROKER_DECISION:
        result = get("result")
        if result == m.APPENDED:
            return f"Broker stores [{values_text(event)}] at offset {get('base_offset')} ({ids(event)})"
        if result == m.DUPLICATE:
            return (
                f"Broker sees a duplicate ({ids(event)}): not stored again, "
                f"answers with the original offset {get('base_offset')}"
            )
        return f"Broker rejects request #{get('request_no')}: {get('error')} — nothing stored"
    if kind == m.RESPONSE_RECEIVED:
        if get("error") == COORDINATOR_LOAD_IN_PROGRESS and get("api") == m.INIT_PRODUCER_ID:
            return (
                f"Reply to InitProducerId #{get('request_no')}: COORDINATOR_LOAD_IN_PROGRESS — the broker has just "
                "started and is still loading its block of producer ids; the producer asks again"
            )
        if get("error"):
            return f"Reply to {request_name(event)}: error {get('error')}"
        if get("api") == m.INIT_PRODUCER_ID:
            # the id itself is told once, by the PRODUCER_ID_ASSIGNED event that follows
            return f"Reply to InitProducerId #{get('request_no')}: the post office hands out a producer id"
        return f"Reply to request #{get('request_no')}: OK, offset {get('base_offset')}"
    if kind == m.CONNECTION_CLOSED:
        return f"Connection to broker {get('broker')} closed{_close_reason(get('reason'))}"
    if kind == m.DELIVERY_REPORT:
        if get("error"):
            return f"Delivery report for {get('value')}: FAILED {get('error')}"
        return f"Delivery report for {get('value')}: delivered {offset_words(get('offset'))}"
    if kind == m.PRODUCER_ID_ASSIGNED:
        return (
            f"The producer gets its id: PID {get('producer_id')}, epoch {get('producer_epoch')} "
            "(its sender number; every letter carries it with a sequence number)"
        )
    if kind == m.EPOCH_BUMP:
        return f"Epoch bump for PID {get('producer_id')}: {get('from_epoch')} → {get('to_epoch')} ({get('reason')})"
    if kind == m.FATAL_ERROR:
        return f"Fatal error: {get('error')} — {get('message')}"
    if kind == m.PRODUCER_RESTART:
        return f"Producer restarted (old PID {get('old_producer_id')})"
    if kind == m.BROKER_ACTION:
        return f"Broker {get('broker_id') or ''} {get('action')}".replace("  ", " ")
    if kind == m.FLUSH:
        return "App calls flush() and waits for all reports"
    if kind == m.WAIT:
        return f"App waits {get('wait_ms')} ms"
    if kind == m.RUN_ERROR:
        return f"Run stopped: {get('message')}"
    if kind == m.PRODUCER_STATE:
        return f"Broker's notebook for partition {get('partition')} after {get('reason')}: {producer_state_text(event)}"
    if kind == m.PRODUCER_EXPIRED:
        return f"Broker forgets PID {get('producer_id')} on partition {get('partition')} (producer id expired)"
    return kind


def _terse(event: m.Event) -> str:
    d = event.detail
    kind = event.kind
    if kind == m.PRODUCE_CALLED:
        return f"app: produce({d['value']!r}) -> partition {d['partition']}"
    if kind == m.REQUEST_SENT and d.get("api") == "produce":
        seq = (
            ""
            if d["producer_id"] < 0
            else f" PID {d['producer_id']} epoch {d['producer_epoch']} seq {d['base_sequence']}"
        )
        return f"wire: Produce #{d['request_no']} (attempt {d.get('attempt', '?')}) [{_terse_values(d)}]{seq}"
    if kind == m.REQUEST_SENT:
        return f"wire: InitProducerId #{d['request_no']}"
    if kind == m.FAULT_INJECTED:
        extra = f" {d['error']}" if d.get("error") else ""
        extra += f" {d['delay_ms']} ms" if d.get("delay_ms") else ""
        return f"fault: {d['action']}{extra} on {d['api']} #{d['request_no']}"
    if kind == m.BROKER_DECISION:
        if d["result"] == "rejected":
            return f"broker: rejected Produce #{d['request_no']} with {d['error']}"
        if d["result"] == "duplicate":
            return f"broker: duplicate of offset {d['base_offset']}, not stored again (Produce #{d['request_no']})"
        return f"broker: stored [{_terse_values(d)}] at offset {d['base_offset']} (Produce #{d['request_no']})"
    if kind == m.DELIVERY_REPORT:
        return f"app: delivery report {d['value']!r}: " + (d["error"] or f"delivered {offset_words(d['offset'])}")
    if kind == m.PRODUCER_ID_ASSIGNED:
        return f"producer: got PID {d['producer_id']} epoch {d['producer_epoch']}"
    if kind == m.EPOCH_BUMP:
        return f"producer: epoch {d['from_epoch']} -> {d['to_epoch']} ({d['reason']})"
    if kind == m.FATAL_ERROR:
        return f"producer: FATAL {d['error']}: {d['message']}"
    if kind == m.RESPONSE_RECEIVED and d.get("api") == "produce":
        answer = d["error"] or f"ok, base offset {d['base_offset']}"
        return f"wire: answer to Produce #{d['request_no']}: {answer}"
    if kind == m.RESPONSE_RECEIVED:  # the id itself: the PRODUCER_ID_ASSIGNED line that follows
        return f"wire: answer to InitProducerId #{d['request_no']}: {d['error'] or 'ok'}"
    if kind == m.CONNECTION_CLOSED:
        return f"wire: connection to broker {d['broker']} closed ({d['reason']})"
    if kind == m.PRODUCER_RESTART:
        return "app: producer closed and created again"
    if kind == m.RUN_ERROR:
        return f"run stopped: {d['message']}"
    if kind == m.PRODUCER_STATE:
        return f"broker: producer state of partition {d['partition']} after {d['reason']} ({d['source']}): {producer_state_text(event)}"
    if kind == m.BROKER_ACTION:
        return f"operator: broker {d['broker_id']} {d['action']}"
    parts = ", ".join(f"{k}={v}" for k, v in d.items() if v is not None)
    return f"{kind}: {parts}" if parts else kind


def _terse_values(detail) -> str:
    """The values of a batch; a very large run's trace carries only their count."""
    if "values" in detail:
        return ", ".join(str(v) for v in detail["values"])
    count = detail.get("record_count", "?")
    return f"{count} record" if count == 1 else f"{count} records"


def producer_state_text(event: m.Event) -> str:
    """A PRODUCER_STATE event's producers in short: 'PID 0 epoch 0: seq 3' (the broker's
    producer state; the lessons' analogy calls it the notebook)."""
    producers = event.get("producers") or ()
    if not producers:
        return "no producer remembered"
    return "; ".join(
        f"PID {p['producer_id']} epoch {p['producer_epoch']}: "
        + (", ".join(f"seq {span(b[0], b[1])}" for b in p["remembered"]) or "no batch")
        for p in producers
    )


def offset_words(offset: int | None) -> str:
    """A delivery's offset; librdkafka reports none for a message acknowledged only
    implicitly, by a later batch's success after its own answer was lost (L8)."""
    if offset is None or offset < 0:
        return "(offset not reported: acknowledged implicitly by a later answer)"
    return f"at offset {offset}"


COORDINATOR_LOAD_IN_PROGRESS = "COORDINATOR_LOAD_IN_PROGRESS"


def fault_text(event: m.Event) -> str:
    """A FAULT_INJECTED event in plain words, told where it happens: a request lost or
    refused on the way, or an answer lost, held up or cut off after the broker decided."""
    name, action = request_name(event), event.get("action")
    if action == m.DROP_RESPONSE:
        return f"Fault: the answer to {name} is lost on the way back (acknowledgement lost)"
    if action == m.DROP_REQUEST:
        return f"Fault: {name} is lost on the way; the broker never sees it"
    if action == m.ERROR:
        late = f", {event.get('delay_ms')} ms late" if event.get("delay_ms") else ""
        return f"Fault: {name} is answered with the error {event.get('error')}{late} at the post office's door; nothing is stored"
    if action == m.DELAY:
        return f"Fault: the answer to {name} is held up {event.get('delay_ms')} ms"
    if action == m.DISCONNECT:
        return f"Fault: the connection is cut right after the answer to {name}"
    return f"Fault on {name}: {action}"


def request_name(event: m.Event) -> str:
    """'request #N' for a Produce request; 'InitProducerId #N' for the registration, whose
    number the client takes from the same counter, so "request #2" would name two things."""
    number = event.get("request_no")
    return f"InitProducerId #{number}" if event.get("api") == m.INIT_PRODUCER_ID else f"request #{number}"


def _close_reason(reason) -> str:
    """A closed connection's reason, unless it only repeats the fault told just before."""
    text = str(reason or "")
    if not text or text in m.FAULT_ACTIONS or text.endswith("(fault)"):
        return " (by the fault above)" if text else ""
    return f" ({text})"


def is_fault(event: m.Event) -> bool:
    return (
        event.kind in (m.FAULT_INJECTED, m.CONNECTION_CLOSED, m.FATAL_ERROR, m.RUN_ERROR)
        or (event.kind == m.BROKER_DECISION and event.get("result") == m.REJECTED)
        or (event.kind == m.RESPONSE_RECEIVED and bool(event.get("error")))
        or (event.kind == m.DELIVERY_REPORT and bool(event.get("error")))
    )


def letter(msg, value, names: dict[int, str] | None = None) -> str:
    """A letter's one name: its value ('m2', 'hello'), or from `names` (letter_names)
    when given, so that a value the application sent again reads 'm2 (sent again)'.
    Never its produce() index beside a different value."""
    if names is not None and msg in names:
        return names[msg]
    return str(value)


def span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def letter_names(events) -> dict[int, str]:
    """Each produce() call's name, by its number: the value it sent.  A value the
    application sends again is a new letter with the same value, so the later calls are
    named "m2 (sent again)", "m2 (sent a 3rd time)", …: one name per letter, and never
    an index (m3) beside a different value (m2)."""
    return names_in_order((e.get("msg"), e.get("value")) for e in events if e.kind == m.PRODUCE_CALLED)


def names_in_order(pairs) -> dict[int, str]:
    """letter_names from (msg, value) pairs in produce() order (deliveries, or stored
    records sorted by msg: a value is 'sent again' only beside its earlier call)."""
    names: dict[int, str] = {}
    times: dict[str, int] = {}
    for msg, value in pairs:
        if msg is None or msg in names:
            continue
        value = str(value)
        n = times[value] = times.get(value, 0) + 1
        names[msg] = value if n == 1 else f"{value} (sent again)" if n == 2 else f"{value} (sent a {ordinal(n)} time)"
    return names


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def and_list(names) -> str:
    """'m1', 'm1 and m2', 'm1, m2 and m3'."""
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def cap(text: str) -> str:
    """The text with its first letter capitalised (a sentence that begins with a name)."""
    return text[:1].upper() + text[1:]


def first_line(text) -> str:
    line = str(text).splitlines()[0] if text else ""
    return line if len(line) <= 200 else line[:197] + "..."
