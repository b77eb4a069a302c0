from confluent_kafka import KafkaError

from idemlab.errors import ERRORS


def test_every_error_name_and_text_is_what_confluent_kafka_gives():
    for code, info in ERRORS.items():
        assert KafkaError(code).name() == info.name, code
        assert KafkaError(code).str() == info.text, code
