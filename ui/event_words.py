"""One short, plain-words line per trace event, shared by the diagram labels, the step
caption, the events table and the presenter view.  Pure: no streamlit."""

from __future__ import annotations

from idemlab import model as m

FAULT_WORDS = {
    m.DROP_RESPONSE: "acknowledgement lost",
    m.DROP_REQUEST: "request lost on the way",
    m.ERROR: "broker answers with an error",
    m.DELAY: "request delayed",
    m.DISCONNECT: "connection cut",
}


def ids(event: m.Event) -> str:
    """'PID 1000 · epoch 0 · seq 0–2' for events that carry producer ids."""
    pid = event.get("producer_id")
    if pid is None:
        return ""
    parts = [f"PID {pid}" if pid != m.NO_PRODUCER_ID else "no PID"]
    if event.get("producer_epoch") is not None and pid != m.NO_PRODUCER_ID:
        parts.append(f"epoch {event.get('producer_epoch')}")
    base = event.get("base_sequence")
    if base is not None and base >= 0:
        count = event.get("record_count") or len(event.get("msgs") or ()) or 1
        last = event.get("last_sequence", base + count - 1)
        parts.append(f"seq {base}" if last == base else f"seq {base}–{last}")
    return " · ".join(parts)


def values_text(event: m.Event) -> str:
    values = event.get("values") or ()
    return ", ".join(str(v) for v in values)


def describe(event: m.Event) -> str:
    kind, get = event.kind, event.get
    if kind == m.PRODUCE_CALLED:
        return f"App calls produce({get('value')!s}) — message m{get('msg')}"
    if kind == m.PRODUCE_REFUSED:
        return f"produce({get('value')}) refused: {get('error')}"
    if kind == m.REQUEST_SENT:
        if get("api") == m.INIT_PRODUCER_ID:
            return f"Request #{get('request_no')}: InitProducerId (asks for a producer id)"
        attempt = get("attempt") or 1
        retry = f" — retry {attempt - 1}" if attempt > 1 else ""
        return f"Request #{get('request_no')}: Produce [{values_text(event)}] {ids(event)}{retry}".strip()
    if kind == m.FAULT_INJECTED:
        extra = f" ({get('error')})" if get("error") else ""
        extra += f" ({get('delay_ms')} ms)" if get("delay_ms") else ""
        return f"Fault on request #{get('request_no')}: {FAULT_WORDS.get(get('action'), get('action'))}{extra}"
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
        if get("error"):
            return f"Reply to request #{get('request_no')}: error {get('error')}"
        if get("api") == m.INIT_PRODUCER_ID:
            return f"Producer gets PID {get('producer_id')}, epoch {get('producer_epoch')}"
        return f"Reply to request #{get('request_no')}: OK, offset {get('base_offset')}"
    if kind == m.CONNECTION_CLOSED:
        return f"Connection to broker closed ({get('reason')})"
    if kind == m.DELIVERY_REPORT:
        if get("error"):
            return f"Delivery report m{get('msg')} ({get('value')}): FAILED {get('error')}"
        return f"Delivery report m{get('msg')} ({get('value')}): delivered at offset {get('offset')}"
    if kind == m.PRODUCER_ID_ASSIGNED:
        return f"Producer id assigned: PID {get('producer_id')}, epoch {get('producer_epoch')}"
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
    return kind


def is_fault(event: m.Event) -> bool:
    return (
        event.kind in (m.FAULT_INJECTED, m.CONNECTION_CLOSED, m.FATAL_ERROR, m.RUN_ERROR)
        or (event.kind == m.BROKER_DECISION and event.get("result") == m.REJECTED)
        or (event.kind == m.RESPONSE_RECEIVED and bool(event.get("error")))
        or (event.kind == m.DELIVERY_REPORT and bool(event.get("error")))
    )


def letter(msg, value) -> str:
    """'m2' when the value is just the message's name, else 'm2 "hello"'."""
    return f"m{msg}" if str(value) == f"m{msg}" else f'm{msg} "{value}"'


def span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"
