"""The producer code equivalent to a scenario's configuration: Python (confluent-kafka)
and Java (the Kafka client, in the style of the classic idempotent-producer example).
Pure text generation; the lab shows it for copying and download."""

from __future__ import annotations

from typing import Any

from idemlab.model import Scenario

TOPIC = "my-topic"
MAX_MESSAGES = 20

# confluent-kafka property -> (Java ProducerConfig constant, Java property) ; None = no equivalent
JAVA_NAMES: dict[str, tuple[str, str] | None] = {
    "enable.idempotence": ("ENABLE_IDEMPOTENCE_CONFIG", "enable.idempotence"),
    "acks": ("ACKS_CONFIG", "acks"),
    "request.required.acks": ("ACKS_CONFIG", "acks"),
    "retries": ("RETRIES_CONFIG", "retries"),
    "message.send.max.retries": ("RETRIES_CONFIG", "retries"),
    "max.in.flight.requests.per.connection": (
        "MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_CONFIG",
        "max.in.flight.requests.per.connection",
    ),
    "max.in.flight": ("MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_CONFIG", "max.in.flight.requests.per.connection"),
    "linger.ms": ("LINGER_MS_CONFIG", "linger.ms"),
    "queue.buffering.max.ms": ("LINGER_MS_CONFIG", "linger.ms"),
    "message.timeout.ms": ("DELIVERY_TIMEOUT_MS_CONFIG", "delivery.timeout.ms"),
    "delivery.timeout.ms": ("DELIVERY_TIMEOUT_MS_CONFIG", "delivery.timeout.ms"),
    "request.timeout.ms": ("REQUEST_TIMEOUT_MS_CONFIG", "request.timeout.ms"),
    "retry.backoff.ms": ("RETRY_BACKOFF_MS_CONFIG", "retry.backoff.ms"),
    "batch.size": ("BATCH_SIZE_CONFIG", "batch.size"),
    "batch.num.messages": None,
}


def messages_of(scenario: Scenario) -> list[tuple[str | None, str]]:
    out = []
    for step in scenario.steps:
        if step.kind == "send":
            out.extend((step.key, value) for value in step.values)
    return out[:MAX_MESSAGES]


def _py_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return repr(value)
    return repr(str(value))


def python_producer(scenario: Scenario, bootstrap: str = "localhost:9092", topic: str = TOPIC) -> str:
    conf = {"bootstrap.servers": bootstrap, **dict(scenario.producer)}
    conf_lines = "\n".join(f"    {key!r}: {_py_literal(value)}," for key, value in conf.items())
    sends = (
        "\n".join(
            f"producer.produce({topic!r}, key={key!r}, value={value!r}, on_delivery=on_delivery)"
            if key is not None
            else f"producer.produce({topic!r}, value={value!r}, on_delivery=on_delivery)"
            for key, value in messages_of(scenario)
        )
        or "# (this scenario sends no messages)"
    )
    return f'''"""{scenario.title} — producer code equivalent to the lab's configuration."""
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
'''


def _java_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f'"{value}"' if value > 2_147_483_647 else str(value)
    return f'"{value}"'


def java_producer(scenario: Scenario, bootstrap: str = "localhost:9092", topic: str = TOPIC) -> str:
    props, notes = [], []
    for key, value in scenario.producer.items():
        java = JAVA_NAMES.get(key, ("", key))
        if java is None:
            notes.append(f"        // {key}={value}: librdkafka only; the Java client batches by batch.size bytes")
        elif java[0]:
            shown = _java_value(str(value) if java[1] == "acks" else value)
            props.append(f"        props.put(ProducerConfig.{java[0]}, {shown});")
        else:
            props.append(f'        props.put("{java[1]}", {_java_value(value)});')
    sends = "\n".join(
        f'            producer.send(new ProducerRecord<>("{topic}", {("null" if key is None else chr(34) + key + chr(34))}, '
        f'"{value}"), callback);'
        for key, value in messages_of(scenario)
    )
    body = "\n".join(props + notes)
    return f'''import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Properties;

// {scenario.title} — producer code equivalent to the lab's configuration.
public class IdempotentProducerExample {{
    public static void main(String[] args) {{
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "{bootstrap}");
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
'''
