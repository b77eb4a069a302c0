"""The producer code of a run, to take away: Python (confluent-kafka) and Java (Apache
Kafka's kafka-clients, in the style of the seed article's example).

The program in the run's own client holds exactly the run's producer properties; the
other one is that client's equivalent, under its own names, with the defaults that
differ most written out (enable.idempotence: on in kafka-clients, off in librdkafka;
the delivery time-out: 120 s and 300 s).
Every value comes from a scenario, so it is escaped for the language it lands in.
Pure text generation; the lab shows it for copying and download.
"""

from __future__ import annotations

from typing import Any

from idemlab import clients, java_config, producer_config
from idemlab.java_config import DELIVERY_TIMEOUT_MESSAGE
from idemlab.model import Scenario
from idemlab.producer_config import ConfigError

TOPIC = "my-topic"
MAX_MESSAGES = 20
JAVA_CLASS = "IdempotentProducerExample"
IDEMPOTENCE = "enable.idempotence"
# The defaults that differ most between the clients are written out in the equivalent:
# idempotence (on in kafka-clients, off in librdkafka) and how long a message may take.
TIMEOUT, LIBRDKAFKA_TIMEOUT = "delivery.timeout.ms", "message.timeout.ms"

# kafka-clients property -> its ProducerConfig constant (the ones the lab's controls use)
JAVA_CONSTANTS = {
    "enable.idempotence": "ENABLE_IDEMPOTENCE_CONFIG",
    "acks": "ACKS_CONFIG",
    "retries": "RETRIES_CONFIG",
    "max.in.flight.requests.per.connection": "MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION",
    "linger.ms": "LINGER_MS_CONFIG",
    "batch.size": "BATCH_SIZE_CONFIG",
    "delivery.timeout.ms": "DELIVERY_TIMEOUT_MS_CONFIG",
    "request.timeout.ms": "REQUEST_TIMEOUT_MS_CONFIG",
    "retry.backoff.ms": "RETRY_BACKOFF_MS_CONFIG",
    "retry.backoff.max.ms": "RETRY_BACKOFF_MAX_MS_CONFIG",
    "reconnect.backoff.ms": "RECONNECT_BACKOFF_MS_CONFIG",
    "reconnect.backoff.max.ms": "RECONNECT_BACKOFF_MAX_MS_CONFIG",
    "max.block.ms": "MAX_BLOCK_MS_CONFIG",
}
# librdkafka property (any alias) -> the kafka-clients property that means the same
TO_JAVA = {
    "enable.idempotence": "enable.idempotence",
    "acks": "acks",
    "request.required.acks": "acks",
    "retries": "retries",
    "message.send.max.retries": "retries",
    "max.in.flight": "max.in.flight.requests.per.connection",
    "max.in.flight.requests.per.connection": "max.in.flight.requests.per.connection",
    "linger.ms": "linger.ms",
    "queue.buffering.max.ms": "linger.ms",
    "message.timeout.ms": "delivery.timeout.ms",
    "delivery.timeout.ms": "delivery.timeout.ms",
    "batch.size": "batch.size",
    "request.timeout.ms": "request.timeout.ms",
    "retry.backoff.ms": "retry.backoff.ms",
    "retry.backoff.max.ms": "retry.backoff.max.ms",
    "reconnect.backoff.ms": "reconnect.backoff.ms",
    "reconnect.backoff.max.ms": "reconnect.backoff.max.ms",
}
# kafka-clients property -> librdkafka's name for it (librdkafka knows these spellings too)
TO_LIBRDKAFKA = {java: java for java in set(TO_JAVA.values())}


def messages_of(scenario: Scenario) -> list[tuple[str | None, str]]:
    out = []
    for step in scenario.steps:
        if step.kind == "send":
            out.extend((step.key, value) for value in step.values)
    return out[:MAX_MESSAGES]


def runs_on_java(scenario: Scenario) -> bool:
    return scenario.client == clients.JAVA


def _librdkafka_knows(name: str) -> bool:
    return producer_config.ALIASES.get(name, name) in producer_config.DEFAULTS


def _one_line(text: str, limit: int = 120) -> str:
    """Text for a comment: one line, no characters that could end or escape it."""
    return "".join(c if c.isprintable() and c != "\\" else " " for c in str(text))[:limit]


# ---- Python -------------------------------------------------------------------------------


def _py_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    return repr(str(value))


def _python_conf(scenario: Scenario) -> list[str]:
    """Lines of the confluent-kafka config dict: the run's own, or kafka-clients' run in librdkafka's names."""
    if not runs_on_java(scenario):
        return [f"    {key!r}: {_py_literal(value)}," for key, value in scenario.producer.items()]
    lines = []
    for key, value in scenario.producer.items():
        if key in TO_LIBRDKAFKA:
            lines.append(f"    {TO_LIBRDKAFKA[key]!r}: {_py_literal(value)},")
        elif _librdkafka_knows(key):
            lines.append(f"    {key!r}: {_py_literal(value)},  # librdkafka's name: kafka-clients ignored it")
        else:
            lines.append(f"    # {_one_line(f'{key}={value}')}: not carried over (kafka-clients' name)")
    if IDEMPOTENCE not in scenario.producer:
        try:
            effective = java_config.resolve(scenario.producer).idempotent
        except ConfigError:
            effective = java_config.DEFAULTS[IDEMPOTENCE]
        why = "kafka-clients' default" if effective else "kafka-clients turned its default off (acks or retries)"
        lines.append(f"    {IDEMPOTENCE!r}: {_py_literal(effective)},  # {why}; librdkafka's is False")
    if TIMEOUT not in scenario.producer:
        java_default, librdkafka_default = java_config.DEFAULTS[TIMEOUT], producer_config.DEFAULTS[LIBRDKAFKA_TIMEOUT]
        lines.append(
            f"    {TIMEOUT!r}: {java_default},  # kafka-clients' default; librdkafka's is {librdkafka_default}"
        )
    return lines


def python_producer(scenario: Scenario, bootstrap: str = "localhost:9092", topic: str = TOPIC) -> str:
    if runs_on_java(scenario):
        about = "the confluent-kafka (librdkafka) equivalent of this run's Java producer"
    else:
        about = "the producer this run used (confluent-kafka), with exactly its properties"
    conf_lines = "\n".join([f"    'bootstrap.servers': {bootstrap!r},", *_python_conf(scenario)])
    sends = (
        "\n".join(
            f"producer.produce({topic!r}, key={key!r}, value={value!r}, on_delivery=on_delivery)"
            if key is not None
            else f"producer.produce({topic!r}, value={value!r}, on_delivery=on_delivery)"
            for key, value in messages_of(scenario)
        )
        or "# (this scenario sends no messages)"
    )
    return f"""# {_one_line(scenario.title)}: {about}.
from confluent_kafka import Producer

conf = {{
{conf_lines}
}}
producer = Producer(conf)  # raises KafkaException for an invalid configuration


def on_delivery(err, msg):
    # Called from poll()/flush(). A missing acknowledgement means "indeterminate",
    # not "failed": the message may still be stored.
    if err is not None:
        print(f"delivery failed: {{err}}")
    else:
        print(f"delivered to partition {{msg.partition()}} at offset {{msg.offset()}}")


{sends}
producer.flush()
"""


# ---- Java ---------------------------------------------------------------------------------


def java_string(text: str) -> str:
    """A Java string literal holding exactly `text`, in ASCII source."""
    out = []
    for c in str(text):
        code = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\{code:03o}")
        elif code < 0x7F:
            out.append(c)
        elif code > 0xFFFF:  # a surrogate pair
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return '"' + "".join(out) + '"'


def _java_value(name: str, value: Any, translated: bool) -> str:
    if name == "acks" and not isinstance(value, bool):  # kafka-clients takes acks as text only
        return java_string(producer_config.acks_text(value) if translated and _is_acks(value) else value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and -(2**31) <= value < 2**31:
        return str(value)
    return java_string(value)  # the client parses text into the property's type


def _is_acks(value: Any) -> bool:
    try:
        producer_config.acks_value(value)
    except (TypeError, ValueError):
        return False
    return True


def _java_put(name: str, value: Any, comment: str = "", translated: bool = True) -> str:
    constant = JAVA_CONSTANTS.get(name)
    target = f"ProducerConfig.{constant}" if constant else java_string(name)
    tail = f"  // {_java_comment(comment)}" if comment else ""
    return f"        props.put({target}, {_java_value(name, value, translated)});{tail}"


def _java_props(scenario: Scenario) -> list[str]:
    """Lines of props.put: the run's own, or the librdkafka run in kafka-clients' names."""
    if runs_on_java(scenario):
        lines = []
        for key, value in scenario.producer.items():
            ignored = key not in java_config.DEFINITIONS and _librdkafka_knows(key)
            note = "librdkafka's name: kafka-clients ignores it" if ignored else ""
            lines.append(_java_put(key, value, note, translated=False))
        return lines
    lines, java_conf = [], {}
    for key, value in scenario.producer.items():
        name = TO_JAVA.get(key)
        if name is None:
            lines.append(f"        // {_java_comment(f'{key}={value}')}: librdkafka only, no kafka-clients equivalent")
        else:
            lines.append(_java_put(name, value))
            java_conf[name] = value
    if IDEMPOTENCE not in java_conf:
        lines.append(_java_put(IDEMPOTENCE, False, "librdkafka's default; kafka-clients' own is true"))
    if TIMEOUT not in java_conf:
        java_default, librdkafka_default = java_config.DEFAULTS[TIMEOUT], producer_config.DEFAULTS[LIBRDKAFKA_TIMEOUT]
        lines.append(
            _java_put(TIMEOUT, librdkafka_default, f"librdkafka's default; kafka-clients' own is {java_default}")
        )
    elif "request.timeout.ms" not in java_conf and java_config.model_error(java_conf) == DELIVERY_TIMEOUT_MESSAGE:
        # kafka-clients refuses a delivery time-out below linger.ms + request.timeout.ms;
        # librdkafka cuts a request's time-out to what is left of the message's instead.
        linger = java_config.resolve({**java_conf, TIMEOUT: 10**9}).linger_ms
        request_timeout = max(int(java_conf[TIMEOUT]) - linger, 0)
        lines.append(_java_put("request.timeout.ms", request_timeout, "at most delivery.timeout.ms - linger.ms"))
    return lines


def java_producer(scenario: Scenario, bootstrap: str = "localhost:9092", topic: str = TOPIC) -> str:
    if runs_on_java(scenario):
        about = "the producer this run used (kafka-clients), with exactly its properties"
    else:
        about = "the kafka-clients equivalent of this run's confluent-kafka producer"
    sends = "\n".join(
        f"            producer.send(new ProducerRecord<>({java_string(topic)}, "
        f"{'null' if key is None else java_string(key)}, {java_string(value)}), callback);"
        for key, value in messages_of(scenario)
    )
    body = "\n".join(_java_props(scenario))
    return f"""import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Properties;

// {_java_comment(scenario.title)}: {about}.
public class {JAVA_CLASS} {{
    public static void main(String[] args) {{
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, {java_string(bootstrap)});
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.StringSerializer");
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.StringSerializer");
{body}

        Callback callback = (metadata, exception) -> {{
            if (exception == null) {{
                System.out.println("Message sent successfully to partition " + metadata.partition()
                        + " with offset " + metadata.offset());
            }} else {{
                exception.printStackTrace();
            }}
        }};
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {{
{sends}
            producer.flush();
        }}
    }}
}}
"""


def _java_comment(text: str) -> str:
    """A comment's text in ASCII source: non-ASCII as \\u escapes (never a line break)."""
    return "".join(c if ord(c) < 0x7F else java_string(c)[1:-1] for c in _one_line(text))
