"""The Java client's defaults and checks, as the real kafka-clients 4.4 gives them
(tests/kafka/test_java_client.py asks the real client for the same texts)."""

from __future__ import annotations

import pytest

from idemlab import java_config
from idemlab.producer_config import ConfigError


def test_idempotence_is_on_by_default_with_acks_all_five_in_flight_and_linger_5():
    settings = java_config.resolve({})
    assert settings.idempotent is True
    assert (settings.acks, settings.max_in_flight, settings.linger_ms) == (-1, 5, 5)
    assert settings.delivery_timeout_ms == 120_000 and settings.retries == 2**31 - 1


def test_more_than_five_in_flight_is_refused_even_when_idempotence_was_left_at_its_default():
    message = (
        "ConfigException: To use the idempotent producer, max.in.flight.requests.per.connection "
        "must be set to at most 5. Current value is 6."
    )
    assert java_config.model_error({"max.in.flight.requests.per.connection": 6}) == message
    assert java_config.model_error({"enable.idempotence": True, "max.in.flight.requests.per.connection": 6}) == message


def test_more_than_five_in_flight_is_fine_with_idempotence_off():
    settings = java_config.resolve({"enable.idempotence": False, "max.in.flight.requests.per.connection": 6})
    assert not settings.idempotent and settings.max_in_flight == 6


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"enable.idempotence": True, "acks": 1}, java_config.ACKS_MESSAGE),
        ({"enable.idempotence": "true", "retries": 0}, java_config.RETRIES_MESSAGE),
        ({"enable.idempotence": True, "retries": 0, "acks": 0}, java_config.RETRIES_MESSAGE),  # retries first
    ],
)
def test_a_chosen_idempotence_with_acks_or_retries_that_break_it_is_refused(config, message):
    assert java_config.model_error(config) == message


@pytest.mark.parametrize("config", [{"acks": 1}, {"acks": "0"}, {"retries": 0}])
def test_idempotence_left_at_its_default_quietly_goes_off_for_acks_or_retries(config):
    assert java_config.resolve(config).idempotent is False


def test_a_chosen_delivery_timeout_below_linger_plus_request_timeout_is_refused_wrapped():
    assert java_config.model_error({"delivery.timeout.ms": 1000}) == java_config.DELIVERY_TIMEOUT_MESSAGE
    assert java_config.model_error({"delivery.timeout.ms": 30_005}) is None


def test_a_default_delivery_timeout_is_raised_to_linger_plus_request_timeout():
    assert java_config.resolve({"request.timeout.ms": 200_000}).delivery_timeout_ms == 200_005


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"acks": "2"},
            "ConfigException: Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1",
        ),
        (
            {"enable.idempotence": "maybe"},
            "ConfigException: Invalid value maybe for configuration enable.idempotence: "
            "Expected value to be either true or false",
        ),
        ({"linger.ms": -1}, "ConfigException: Invalid value -1 for configuration linger.ms: Value must be at least 0"),
        (
            {"delivery.timeout.ms": "soon"},
            "ConfigException: Invalid value soon for configuration delivery.timeout.ms: Not a number of type INT",
        ),
    ],
)
def test_malformed_values_get_the_java_clients_configdef_messages(config, message):
    with pytest.raises(ConfigError) as caught:
        java_config.resolve(config)
    assert str(caught.value) == message


def test_librdkafka_only_properties_are_no_error_for_the_java_client():
    assert java_config.model_error({"batch.num.messages": 1, "message.timeout.ms": 3000}) is None
    assert java_config.unknown({"batch.num.messages": 1, "linger.ms": 0}) == ["batch.num.messages"]


def test_effective_config_uses_the_java_clients_names():
    config = java_config.resolve({"linger.ms": 0}).as_config()
    assert config["delivery.timeout.ms"] == 120_000 and "message.timeout.ms" not in config
