"""Kafka error codes as the broker sends them and as confluent-kafka names them.

`name` is what confluent-kafka's KafkaError.name() returns (librdkafka's names, e.g.
MSG_SIZE_TOO_LARGE for Kafka's MESSAGE_TOO_LARGE); `kafka_name` is the broker's, which the
Java client uses too (client_name).  Traces carry `name` whichever client ran.
`retriable` is librdkafka's produce-path classification (rdkafka_request.c).
tests/unit/test_errors.py checks every row against the installed confluent-kafka.
"""

from __future__ import annotations

from dataclasses import dataclass

from idemlab.clients import JAVA


class BackendUnavailable(RuntimeError):
    """A real back end cannot be used; str() says why and what to do instead."""


@dataclass(frozen=True)
class KafkaErrorInfo:
    code: int
    name: str
    kafka_name: str
    retriable: bool
    text: str
    meaning: str


_ROWS = [
    (
        2,
        "INVALID_MSG",
        "CORRUPT_MESSAGE",
        True,
        "Broker: Invalid message",
        "The batch failed its CRC or format check; the client retries.",
    ),
    (
        3,
        "UNKNOWN_TOPIC_OR_PART",
        "UNKNOWN_TOPIC_OR_PARTITION",
        True,
        "Broker: Unknown topic or partition",
        "The broker does not host this partition (yet); the client refreshes metadata and retries.",
    ),
    (
        5,
        "LEADER_NOT_AVAILABLE",
        "LEADER_NOT_AVAILABLE",
        True,
        "Broker: Leader not available",
        "A leader election is in progress; the client retries.",
    ),
    (
        6,
        "NOT_LEADER_FOR_PARTITION",
        "NOT_LEADER_OR_FOLLOWER",
        True,
        "Broker: Not leader for partition",
        "The request went to a broker that no longer leads the partition; nothing was stored; retried.",
    ),
    (
        7,
        "REQUEST_TIMED_OUT",
        "REQUEST_TIMED_OUT",
        True,
        "Broker: Request timed out",
        "The broker gave up waiting for replicas; the batch may or may not be stored; retried.",
    ),
    (
        10,
        "MSG_SIZE_TOO_LARGE",
        "MESSAGE_TOO_LARGE",
        False,
        "Broker: Message size too large",
        "The batch is larger than the topic's max.message.bytes; rejected before any producer-state check.",
    ),
    (
        14,
        "COORDINATOR_LOAD_IN_PROGRESS",
        "COORDINATOR_LOAD_IN_PROGRESS",
        True,
        "Broker: Coordinator load in progress",
        "The broker has no block of producer ids yet; the client asks again after 500 ms.",
    ),
    (
        19,
        "NOT_ENOUGH_REPLICAS",
        "NOT_ENOUGH_REPLICAS",
        True,
        "Broker: Not enough in-sync replicas",
        "Fewer in-sync replicas than min.insync.replicas; refused before the append, nothing stored; retried.",
    ),
    (
        20,
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
        True,
        "Broker: Message(s) written to insufficient number of in-sync replicas",
        "Stored on the leader but too few replicas confirmed; the retry is deduplicated if idempotent.",
    ),
    (
        29,
        "TOPIC_AUTHORIZATION_FAILED",
        "TOPIC_AUTHORIZATION_FAILED",
        False,
        "Broker: Topic authorization failed",
        "The principal may not write to this topic.",
    ),
    (
        45,
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        False,
        "Broker: Broker received an out of order sequence number",
        "The batch's first sequence is not the next one the broker expects (a gap, an old batch "
        "outside the 5-batch memory, or a partial overlap). Nothing stored.",
    ),
    (
        46,
        "DUPLICATE_SEQUENCE_NUMBER",
        "DUPLICATE_SEQUENCE_NUMBER",
        False,
        "Broker: Broker received a duplicate sequence number",
        "Not sent by brokers since Kafka 2.0: a duplicate is answered with success and the original offset.",
    ),
    (
        47,
        "INVALID_PRODUCER_EPOCH",
        "INVALID_PRODUCER_EPOCH",
        False,
        "Broker: Producer attempted an operation with an old epoch",
        "The batch carries an older epoch than the broker has seen for this producer id.",
    ),
    (
        56,
        "KAFKA_STORAGE_ERROR",
        "KAFKA_STORAGE_ERROR",
        True,
        "Broker: Disk error when trying to access log file on disk",
        "The broker's disk failed for this partition; retried.",
    ),
    (
        59,
        "UNKNOWN_PRODUCER_ID",
        "UNKNOWN_PRODUCER_ID",
        False,
        "Broker: Unknown Producer Id",
        "Only brokers older than 2.5 send it; modern brokers accept any first sequence from an unknown producer.",
    ),
    (
        87,
        "INVALID_RECORD",
        "INVALID_RECORD",
        False,
        "Broker: Broker failed to validate record",
        "A record failed broker-side validation.",
    ),
]

_LOCAL = [
    (
        -192,
        "_MSG_TIMED_OUT",
        "Local: Message timed out",
        "message.timeout.ms passed before a successful acknowledgement. The message may still be stored.",
    ),
    (
        -195,
        "_TRANSPORT",
        "Local: Broker transport failure",
        "The connection closed; requests in flight on it are retried.",
    ),
    (
        -185,
        "_TIMED_OUT",
        "Local: Timed out",
        "No answer to a request in time; the connection is closed and the request retried.",
    ),
    (
        -152,
        "_PURGE_QUEUE",
        "Local: Purged in queue",
        "Removed from the producer's queue before it was sent (after a fatal error).",
    ),
    (
        -150,
        "_FATAL",
        "Local: Fatal error",
        "The producer hit a fatal error; it refuses new messages and must be re-created.",
    ),
    (
        -148,
        "_GAPLESS_GUARANTEE",
        "Local: Gap-less ordering would not be guaranteed if proceeding",
        "enable.gapless.guarantee is on and a batch failed permanently: the producer stops.",
    ),
    (
        -197,
        "_DESTROY",
        "Local: Broker handle destroyed for termination",
        "The producer was closed (or its partition removed) while the message waited for a retry.",
    ),
    (-186, "_INVALID_ARG", "Local: Invalid argument or configuration", "The producer configuration was rejected."),
]

ERRORS: dict[int, KafkaErrorInfo] = {}
for code, name, kafka_name, retriable, text, meaning in _ROWS:
    ERRORS[code] = KafkaErrorInfo(code, name, kafka_name, retriable, text, meaning)
for code, name, text, meaning in _LOCAL:
    ERRORS[code] = KafkaErrorInfo(code, name, name, code in (-195, -185), text, meaning)

# A scenario may name an error either way (MESSAGE_TOO_LARGE or MSG_SIZE_TOO_LARGE).
ERRORS_BY_NAME: dict[str, KafkaErrorInfo] = {}
for info in ERRORS.values():
    if info.code > 0:
        ERRORS_BY_NAME[info.name] = info
        ERRORS_BY_NAME[info.kafka_name] = info

# The Java client's exception for a broker error (kafka-clients 4.4, Errors.forCode(code).exception()),
# for the views; idemlab/sim/java_producer.JAVA_ERRORS pairs the same names with the model's
# retry rule (tests/unit/test_java_failure_words.py keeps the two equal).
JAVA_EXCEPTIONS: dict[int, str] = {
    2: "CorruptRecordException",
    3: "UnknownTopicOrPartitionException",
    5: "LeaderNotAvailableException",
    6: "NotLeaderOrFollowerException",
    7: "TimeoutException",
    10: "RecordTooLargeException",
    14: "CoordinatorLoadInProgressException",
    19: "NotEnoughReplicasException",
    20: "NotEnoughReplicasAfterAppendException",
    29: "TopicAuthorizationException",
    45: "OutOfOrderSequenceException",
    46: "DuplicateSequenceException",
    47: "InvalidProducerEpochException",
    56: "KafkaStorageException",
    59: "UnknownProducerIdException",
    87: "InvalidRecordException",
}

MSG_TIMED_OUT = "_MSG_TIMED_OUT"
TRANSPORT = "_TRANSPORT"
TIMED_OUT = "_TIMED_OUT"
PURGE_QUEUE = "_PURGE_QUEUE"
FATAL = "_FATAL"
GAPLESS_GUARANTEE = "_GAPLESS_GUARANTEE"
OUT_OF_ORDER_SEQUENCE_NUMBER = "OUT_OF_ORDER_SEQUENCE_NUMBER"
INVALID_PRODUCER_EPOCH = "INVALID_PRODUCER_EPOCH"
MSG_SIZE_TOO_LARGE = "MSG_SIZE_TOO_LARGE"
COORDINATOR_LOAD_IN_PROGRESS = "COORDINATOR_LOAD_IN_PROGRESS"


def by_name(name: str) -> KafkaErrorInfo:
    return ERRORS_BY_NAME[name]


def name_of(code: int) -> str:
    info = ERRORS.get(code)
    return info.name if info else f"ERROR_{code}"


def client_name(error: str, client: str) -> str:
    """The name `client` gives a broker error: the Java client and the broker say
    MESSAGE_TOO_LARGE where librdkafka says MSG_SIZE_TOO_LARGE.  Any other name (a local
    error, a Java exception class) is the client's own already."""
    if client != JAVA:
        return error
    info = ERRORS_BY_NAME.get(error)
    return info.kafka_name if info is not None else error
