"""librdkafka's config rules: the model matches the real client, word for word (C3)."""

import pytest

from idemlab.producer_config import ConfigError, key_for_error, model_error, resolve, validate

REJECTED = [
    (
        {"enable.idempotence": True, "acks": 1},
        "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true",
    ),
    (
        {"enable.idempotence": True, "acks": 0},
        "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true",
    ),
    (
        {"enable.idempotence": True, "max.in.flight.requests.per.connection": 6},
        "Failed to create producer: `max.in.flight` must be set <= 5 when `enable.idempotence` is true",
    ),
    (
        {"enable.idempotence": True, "max.in.flight": 6},
        "Failed to create producer: `max.in.flight` must be set <= 5 when `enable.idempotence` is true",
    ),
    (
        {"enable.idempotence": True, "retries": 0},
        "Failed to create producer: `retries` must be set >= 1 when `enable.idempotence` is true",
    ),
    (
        {"enable.idempotence": True, "message.send.max.retries": 0},
        "Failed to create producer: `retries` must be set >= 1 when `enable.idempotence` is true",
    ),
    (
        {"enable.gapless.guarantee": True},
        "Failed to create producer: `enable.gapless.guarantee` requires `enable.idempotence` to be enabled",
    ),
    (
        {"enable.idempotence": True, "queuing.strategy": "lifo"},
        "Failed to create producer: `queuing.strategy` must be set to `fifo` when `enable.idempotence` is true",
    ),
]

ACCEPTED = [
    {"enable.idempotence": True},
    {"enable.idempotence": True, "acks": "all"},
    {"enable.idempotence": True, "acks": -1, "max.in.flight.requests.per.connection": 5, "retries": 1},
    {"enable.idempotence": False, "acks": 1, "retries": 0, "max.in.flight.requests.per.connection": 100},
]


@pytest.mark.parametrize("conf,message", REJECTED)
def test_the_model_gives_the_real_clients_exact_message(conf, message):
    assert model_error(conf) == message
    assert validate(conf) == message


@pytest.mark.parametrize("conf", ACCEPTED)
def test_valid_idempotent_configs_are_accepted_by_model_and_client(conf):
    assert model_error(conf) is None
    assert validate(conf) is None


def test_unknown_property_is_reported_as_the_client_reports_it():
    assert validate({"enable.idempotency": True}) == 'No such configuration property: "enable.idempotency"'


def test_malformed_value_is_reported_as_the_client_reports_it():
    assert validate({"linger.ms": "soon"}) == 'Invalid value for configuration property "queue.buffering.max.ms"'


def test_unset_values_become_librdkafka_defaults_adjusted_for_idempotence():
    settings = resolve({"enable.idempotence": True})
    assert (settings.max_in_flight, settings.retries, settings.acks) == (5, 2147483647, -1)
    plain = resolve({})
    assert (plain.idempotent, plain.acks, plain.linger_ms, plain.max_in_flight) == (False, -1, 5, 1_000_000)


def test_resolve_refuses_an_invalid_config_with_the_clients_message():
    with pytest.raises(ConfigError, match="`acks` must be set to `all`"):
        resolve({"enable.idempotence": True, "acks": "1"})


def test_each_message_names_the_control_it_belongs_to():
    assert key_for_error(REJECTED[0][1]) == "acks"
    assert key_for_error('No such configuration property: "foo.bar"') == "foo.bar"
