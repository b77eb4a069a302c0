"""Plain data for the Reference page: settings, errors and the analogy glossary.

Every list holds dicts with the same keys, so a page can show each as a table.  The
facts come from /work/shared/reference/kafka-idempotence.md (section ids in `ref`);
`None` means the reference does not state the value, not that there is none.
"""

from __future__ import annotations

from idemlab.errors import ERRORS

# ---- producer settings ---------------------------------------------------------------
# librdkafka: the name confluent-kafka (Python) uses; alias in parentheses when it has one.
PRODUCER_SETTINGS: list[dict] = [
    {
        "librdkafka": "enable.idempotence",
        "java": "enable.idempotence",
        "librdkafka_default": "false",
        "java_default": "true (effective since 3.0.1 / 3.1.1 / 3.2.0)",
        "with_idempotence": "The switch itself. Turns on producer ids, epochs and sequence numbers.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "Kafka 3.0 meant to turn it on in Java, but a bug kept it off until KAFKA-13598. "
        "confluent-kafka and other librdkafka clients still default to off.",
        "ref": "L1, J1, J2",
    },
    {
        "librdkafka": "acks (request.required.acks)",
        "java": "acks",
        "librdkafka_default": "-1 (all)",
        "java_default": "all",
        "with_idempotence": "Must be all (-1). If you do not set it, it is all.",
        "error_librdkafka": "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true",
        "error_java": "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.",
        "note": "librdkafka sets this per topic, and it rejects acks=0 and acks=1 alike.",
        "ref": "L2, L3, J1, C3",
    },
    {
        "librdkafka": "retries (message.send.max.retries)",
        "java": "retries",
        "librdkafka_default": "2147483647",
        "java_default": "2147483647",
        "with_idempotence": "Must be at least 1. If you do not set it, it is 2147483647.",
        "error_librdkafka": "Failed to create producer: `retries` must be set >= 1 when `enable.idempotence` is true",
        "error_java": "Must set retries to non-zero when using the idempotent producer.",
        "note": "Idempotence exists to make retries safe. Without retries there is nothing to deduplicate.",
        "ref": "L2, L3, J1",
    },
    {
        "librdkafka": "max.in.flight (max.in.flight.requests.per.connection)",
        "java": "max.in.flight.requests.per.connection",
        "librdkafka_default": "1000000",
        "java_default": "5",
        "with_idempotence": "At most 5. If you do not set it, librdkafka lowers it to 5.",
        "error_librdkafka": "Failed to create producer: `max.in.flight` must be set <= 5 when `enable.idempotence` is true",
        "error_java": "To use the idempotent producer, max.in.flight.requests.per.connection must be set to at most 5. Current value is N.",
        "note": "The limit of 5 matches the 5 batches the broker remembers per producer. In Java 3.x a "
        "value above 5 only turned the default idempotence off, with a warning; 4.x always throws. In practice librdkafka has only about "
        "one request per partition in flight once batches hold several messages.",
        "ref": "B1, L3, L6, J1",
    },
    {
        "librdkafka": "queue.buffering.backpressure.threshold",
        "java": None,
        "librdkafka_default": None,
        "java_default": None,
        "with_idempotence": "Must be 1. If you do not set it, it is 1.",
        "error_librdkafka": "Failed to create producer: `queue.buffering.backpressure.threshold` must be set to 1 when `enable.idempotence` is true",
        "error_java": None,
        "note": "librdkafka only.",
        "ref": "L3",
    },
    {
        "librdkafka": "queuing.strategy",
        "java": None,
        "librdkafka_default": "fifo",
        "java_default": None,
        "with_idempotence": "Must be fifo.",
        "error_librdkafka": "Failed to create producer: `queuing.strategy` must be set to `fifo` when `enable.idempotence` is true",
        "error_java": None,
        "note": "librdkafka only.",
        "ref": "L3",
    },
    {
        "librdkafka": "enable.gapless.guarantee",
        "java": None,
        "librdkafka_default": "false",
        "java_default": None,
        "with_idempotence": "Optional and experimental. A permanent batch failure then stops the "
        "producer with a fatal _GAPLESS_GUARANTEE error. Without it, librdkafka "
        "bumps the epoch and carries on, leaving a gap.",
        "error_librdkafka": "Failed to create producer: `enable.gapless.guarantee` requires `enable.idempotence` to be enabled",
        "error_java": None,
        "note": "Message timeouts are not covered by this guarantee.",
        "ref": "L9, L15, C14",
    },
    {
        "librdkafka": "message.timeout.ms (delivery.timeout.ms)",
        "java": "delivery.timeout.ms",
        "librdkafka_default": "300000",
        "java_default": "120000",
        "with_idempotence": "Unchanged. A timed-out message is reported as _MSG_TIMED_OUT, and the "
        "producer then bumps its epoch.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "A message that timed out while in flight may still be stored (failed does not mean absent).",
        "ref": "L2, L10, N3",
    },
    {
        "librdkafka": "linger.ms",
        "java": "linger.ms",
        "librdkafka_default": "5",
        "java_default": "5 (0 in 3.x)",
        "with_idempotence": "Unchanged.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "Bigger batches mean fewer requests, and so fewer sequence ranges to track.",
        "ref": "L2, J3",
    },
    {
        "librdkafka": "batch.num.messages",
        "java": None,
        "librdkafka_default": "10000",
        "java_default": None,
        "with_idempotence": "Unchanged.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "The lab's scenarios use batch.num.messages = 1 to send one letter per request.",
        "ref": "L2",
    },
    {
        "librdkafka": "batch.size",
        "java": "batch.size",
        "librdkafka_default": "1000000",
        "java_default": "16384",
        "with_idempotence": "Unchanged.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "Bytes per batch.",
        "ref": "L2, J3",
    },
    {
        "librdkafka": "socket.timeout.ms",
        "java": None,
        "librdkafka_default": "60000",
        "java_default": None,
        "with_idempotence": "Unchanged.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "A request in flight times out after min(socket.timeout.ms, the remaining message.timeout.ms). "
        "It is then retried with the same producer id, epoch and sequence.",
        "ref": "L2, L10",
    },
    {
        "librdkafka": "request.timeout.ms",
        "java": "request.timeout.ms",
        "librdkafka_default": "30000",
        "java_default": None,
        "with_idempotence": "Unchanged.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "In librdkafka, this is how long the broker may wait for acknowledgements from its replicas.",
        "ref": "L2",
    },
    {
        "librdkafka": "retry.backoff.ms / retry.backoff.max.ms",
        "java": "retry.backoff.ms",
        "librdkafka_default": "100 / 1000",
        "java_default": None,
        "with_idempotence": "Unchanged.",
        "error_librdkafka": None,
        "error_java": None,
        "note": "",
        "ref": "L2",
    },
    {
        "librdkafka": "transactional.id",
        "java": "transactional.id",
        "librdkafka_default": "(none)",
        "java_default": "(none)",
        "with_idempotence": "Setting it makes the producer transactional, which needs idempotence.",
        "error_librdkafka": "Failed to create producer: `message.timeout.ms` must be set <= `transaction.timeout.ms`",
        "error_java": "Cannot set a transactional.id without also enabling idempotence.",
        "note": "Transactions add atomic writes across partitions, plus offsets committed with the writes.",
        "ref": "L3, J1, N5",
    },
]

# ---- broker and topic settings ----------------------------------------------------------
BROKER_SETTINGS: list[dict] = [
    {
        "name": "producer.id.expiration.ms",
        "level": "broker (dynamic)",
        "default": "86400000 (1 day)",
        "meaning": "How long a partition leader keeps an idle producer's state (its notebook entry). "
        "Idleness is measured from the record timestamp of the producer's last batch. "
        "After expiry, a late retry is accepted as new, which creates a duplicate.",
        "since": "Kafka 3.4 (KIP-854). Before 3.4, transactional.id.expiration.ms did this job.",
        "ref": "B12, C15",
    },
    {
        "name": "producer.id.expiration.check.interval.ms",
        "level": "broker (internal)",
        "default": "600000 (10 min)",
        "meaning": "How often each partition checks for expired producer ids.",
        "since": None,
        "ref": "B12",
    },
    {
        "name": "transactional.id.expiration.ms",
        "level": "broker",
        "default": "604800000 (7 days)",
        "meaning": "How long the transaction coordinator keeps a transactional id with no status "
        "updates. It does not affect idempotent-only producers, which create no coordinator state.",
        "since": None,
        "ref": "B13",
    },
    {
        "name": "transaction.max.timeout.ms",
        "level": "broker",
        "default": "900000 (15 min)",
        "meaning": "The largest transaction timeout a transactional producer may ask for.",
        "since": None,
        "ref": "F7",
    },
    {
        "name": "max.message.bytes",
        "level": "topic",
        "default": None,
        "meaning": "The largest batch the topic accepts. A larger batch is rejected with "
        "MESSAGE_TOO_LARGE (confluent-kafka: MSG_SIZE_TOO_LARGE) before the broker looks "
        "at producer state.",
        "since": None,
        "ref": "1.2 step 1, C13",
    },
    {
        "name": "min.insync.replicas",
        "level": "topic or broker",
        "default": None,
        "meaning": "With acks=all, the smallest number of in-sync replicas needed for a write. "
        "NOT_ENOUGH_REPLICAS means the write was refused before the append. "
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND means it is already in the leader's log, "
        "so the retry is deduplicated.",
        "since": None,
        "ref": "B18",
    },
    {
        "name": "(fixed) batches remembered per producer",
        "level": "broker, not configurable",
        "default": "5",
        "meaning": "The broker remembers the last 5 batches of the current epoch for each producer on "
        "each partition. After a clean restart only the last one is restored from the "
        "snapshot (the model's prediction, to be checked on a real broker).",
        "since": None,
        "ref": "B1, B15",
    },
    {
        "name": "(fixed) producer id block",
        "level": "controller, not configurable",
        "default": "1000",
        "meaning": "Producer ids are handed out in blocks of 1000, and the first producer on a new "
        "cluster gets id 0. A broker restart skips the rest of its block (the model's "
        "prediction, to be checked on a real broker).",
        "since": None,
        "ref": "P3, P4",
    },
]

# ---- errors ------------------------------------------------------------------------------
# Errors that only matter for idempotence and are not in idemlab.errors.
_EXTRA_ERRORS: list[dict] = [
    {
        "code": 90,
        "name": "PRODUCER_FENCED",
        "kafka_name": "PRODUCER_FENCED",
        "retriable": False,
        "text": None,
        "meaning": "Sent only by the transaction coordinator, never in answer to a produce request. "
        "A batch from an old epoch gets INVALID_PRODUCER_EPOCH instead.",
    },
    {
        "code": None,
        "name": "_INCONSISTENT",
        "kafka_name": None,
        "retriable": False,
        "text": None,
        "meaning": "librdkafka got a success where it expected an error. This is a fatal error for "
        "the idempotent producer.",
    },
]

# What each error means for the idempotent producer in particular (adds to errors.py's meaning).
_IDEMPOTENCE_NOTES: dict[str, str] = {
    "OUT_OF_ORDER_SEQUENCE_NUMBER": "librdkafka: if an earlier batch failed, it re-sends in order and "
    "bumps the epoch. On the batch it expected next, the error is fatal.",
    "DUPLICATE_SEQUENCE_NUMBER": "Do not expect it from a modern broker.",
    "INVALID_PRODUCER_EPOCH": "The produce path sends this one, not PRODUCER_FENCED.",
    "UNKNOWN_PRODUCER_ID": "Many blogs still say brokers send this when producer state is lost. "
    "Brokers since 2.5 do not.",
    "MSG_SIZE_TOO_LARGE": "A permanent error. librdkafka then bumps the epoch, or with "
    "enable.gapless.guarantee it stops with a fatal error.",
    "_MSG_TIMED_OUT": "For a message that was in flight, the record may be in the log. "
    "confluent-kafka cannot tell you which case you have.",
    "_FATAL": "Create a new producer. It gets a new producer id, so anything you re-send is a new record.",
}


def _error_rows() -> list[dict]:
    rows = []
    for info in sorted(ERRORS.values(), key=lambda i: (i.code < 0, abs(i.code))):
        rows.append(
            {
                "code": info.code,
                "name": info.name,
                "kafka_name": info.kafka_name,
                "retriable": info.retriable,
                "text": info.text,
                "meaning": info.meaning
                + (" " + _IDEMPOTENCE_NOTES[info.name] if info.name in _IDEMPOTENCE_NOTES else ""),
            }
        )
    return rows + [dict(row) for row in _EXTRA_ERRORS]


ERROR_TABLE: list[dict] = _error_rows()

# ---- glossary: analogy word -> Kafka term -------------------------------------------------
GLOSSARY: list[dict] = [
    {
        "analogy": "sender",
        "kafka": "producer instance (one producer session)",
        "meaning": "One Producer object from creation to close. Re-creating it makes a new sender.",
    },
    {
        "analogy": "new sender registration",
        "kafka": "InitProducerId",
        "meaning": "The idempotent producer's first request. The answer is a new producer id with epoch 0. "
        "No letter leaves before it arrives.",
    },
    {
        "analogy": "sender number",
        "kafka": "producer id (PID)",
        "meaning": "A number the broker gives each idempotent producer when it starts, written on every "
        "batch so the broker can tell senders apart. It is -1 when idempotence is off.",
    },
    {
        "analogy": "round",
        "kafka": "producer epoch",
        "meaning": "A generation counter that goes with the producer id, starting at 0. librdkafka starts "
        "a new round (an epoch bump) after an error that leaves a gap in the numbering; numbering then "
        "restarts at 0 on every partition, and the broker refuses batches of an older round.",
    },
    {"analogy": "letter", "kafka": "record (message)", "meaning": "What produce() sends."},
    {
        "analogy": "envelope",
        "kafka": "record batch",
        "meaning": "One or more letters sent together. A produce request carries one batch per partition.",
    },
    {
        "analogy": "number on the letter",
        "kafka": "sequence number",
        "meaning": "Counts the records per partition for each (producer id, epoch). A batch carries its "
        "first sequence, and the broker works out the last.",
    },
    {
        "analogy": "post office",
        "kafka": "broker (the partition leader)",
        "meaning": "Checks each envelope's sender number, round and numbers before shelving it.",
    },
    {"analogy": "shelf", "kafka": "partition log", "meaning": "Letters in the order they were shelved."},
    {"analogy": "place on the shelf", "kafka": "offset", "meaning": "Position in the partition log."},
    {
        "analogy": "receipt",
        "kafka": "acknowledgement (produce response)",
        "meaning": "Gives the offset, or an error. The delivery report the application sees is built from it.",
    },
    {
        "analogy": "notebook",
        "kafka": "producer state (ProducerStateEntry)",
        "meaning": "For each partition and producer id: the current epoch and the last 5 batches "
        "(sequence range and offsets).",
    },
    {
        "analogy": "resending",
        "kafka": "retry",
        "meaning": "The client sends the same batch again with the same producer id, epoch and "
        "sequences. Only retries are deduplicated.",
    },
    {
        "analogy": "writing the letter again",
        "kafka": "application re-send (a new produce() call)",
        "meaning": "Gets new sequence numbers, so to the broker it is a new record.",
    },
    {
        "analogy": "letters in the bag at once",
        "kafka": "requests in flight (max.in.flight ≤ 5)",
        "meaning": "Produce requests sent on one connection but not yet answered. With idempotence on, at "
        "most 5, matching the 5 batches the broker remembers; librdkafka also builds no new request for "
        "a partition while 5 of its messages are in flight.",
    },
    {
        "analogy": "waiting for the full receipt",
        "kafka": "acks=all (-1)",
        "meaning": "The broker answers only once every in-sync replica has the batch. Idempotence requires it; "
        "acks=1 answers after the leader alone has it.",
    },
    {
        "analogy": "branches keeping up",
        "kafka": "in-sync replicas (ISR)",
        "meaning": "The copies of a partition (the leader and the followers) that are keeping up with the "
        "leader. acks=all waits for these, not for every replica.",
    },
    {
        "analogy": "refusing a letter out of turn",
        "kafka": "OUT_OF_ORDER_SEQUENCE_NUMBER",
        "meaning": "The broker stores only the next sequence after the last one it stored.",
    },
    {
        "analogy": "another branch takes over",
        "kafka": "leader failover",
        "meaning": "The new leader built its own producer state from the batches replicated to it.",
    },
    {
        "analogy": "closing up tidily / a power cut",
        "kafka": "clean shutdown / hard kill",
        "meaning": "A clean shutdown saves one batch per producer in a snapshot. After a hard kill a "
        "real Kafka 4.4 broker also remembered only the last batch (the lab's broker-kill test).",
    },
    {
        "analogy": "forgetting a quiet sender",
        "kafka": "producer id expiration",
        "meaning": "A partition forgets a producer id whose newest record's timestamp is older than "
        "producer.id.expiration.ms (1 day by default). It checks every "
        "producer.id.expiration.check.interval.ms (10 minutes by default), so the forgetting happens at "
        "the first check after that time.",
    },
    {
        "analogy": "the sender gives up",
        "kafka": "fatal error",
        "meaning": "The producer refuses new messages. The application must create a new one.",
    },
    {
        "analogy": "reader",
        "kafka": "consumer",
        "meaning": "Idempotence does not stop a reader from handling the same letter twice.",
    },
]

# ---- the terms a learner meets, in plain words (the UI shows them on hover or focus) ----
_TERMS: dict[str, str] = {
    "producer": "The client object that sends messages to Kafka (a Producer in confluent-kafka).",
    "broker": "A Kafka server. The broker that leads a partition stores that partition's records.",
    "partition": "One ordered log of records; a topic is split into partitions.",
    "offset": "A record's position in its partition log: 0, 1, 2, …",
    "batch": "One or more records sent together in one produce request for one partition "
    "(a record batch: the envelope).",
    "producer id": "A number the broker gives an idempotent producer when it starts (PID), written on "
    "every batch so the broker can tell senders apart; -1 when idempotence is off.",
    "PID": "Short for producer id.",
    "epoch": "A generation counter that goes with the producer id, starting at 0. When the producer has to "
    "restart its numbering it bumps the epoch (same id, epoch + 1), and the broker refuses batches that "
    "carry an older epoch.",
    "epoch bump": "The producer moves to the next epoch of the same producer id, and its sequence numbers "
    "restart at 0 on every partition (librdkafka does this after an error that leaves a gap).",
    "sequence number": "The running number of a record per partition, for one producer id and epoch: "
    "0, 1, 2, … A batch carries the number of its first record.",
    "in flight": "Sent to the broker but not answered yet. max.in.flight.requests.per.connection limits "
    "how many requests may be in flight on one connection (at most 5 with idempotence on).",
    "acks": "How many copies must have a batch before the broker answers: 0 (no answer), 1 (the leader), "
    "all (every in-sync replica). Idempotence requires acks=all.",
    "ISR": "In-sync replicas: the copies of a partition that are keeping up with its leader. acks=all waits "
    "for these, not for every replica.",
    "retry": "The client sends the same batch again, with the same producer id, epoch and sequence numbers. "
    "Only these are deduplicated.",
    "duplicate": "The same produce() call stored more than once.",
    "producer state": "What the broker remembers per partition and producer id: the epoch and the last 5 "
    "batches (their sequence numbers and offsets). The notebook in the mail room.",
    "InitProducerId": "The idempotent producer's first request: it asks for a producer id (and gets epoch 0).",
    "delivery report": "What the application is told about one produce() call: delivered (with its offset) "
    "or failed (with an error).",
    "idempotence": "enable.idempotence: the producer numbers its batches so the broker can drop the "
    "duplicates its own retries would create, within one producer session and one partition.",
    "fatal error": "An error after which the producer refuses new messages; the application must create "
    "a new producer (with a new producer id).",
    "producer id expiration": "A partition forgets a producer id whose newest record's timestamp is older "
    "than producer.id.expiration.ms (1 day by default), at the next check, which runs every "
    "producer.id.expiration.check.interval.ms (10 minutes by default).",
}


def glossary() -> dict[str, str]:
    """Every term a learner meets, with its plain definition (term -> definition), for
    the hover glossary; the analogy table (GLOSSARY) maps mail-room words to Kafka terms."""
    return dict(_TERMS)


TABLES: dict[str, list[dict]] = {
    "Producer settings": PRODUCER_SETTINGS,
    "Broker and topic settings": BROKER_SETTINGS,
    "Errors": ERROR_TABLE,
    "Glossary": GLOSSARY,
}
