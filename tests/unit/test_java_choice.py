"""Choosing the client: a scenario's `client` key, --client on the command line, and a
config checked by the client it will run with."""

from __future__ import annotations

import pytest

from idemlab import clients, scenarios
from idemlab.__main__ import main


def test_a_scenario_runs_with_librdkafka_unless_it_names_java():
    assert scenarios.load("lost-ack").client == "librdkafka"
    named = scenarios.parse('title = "t"\nclient = "java"\n[[step]]\nsend = ["m1"]\n')
    assert named.client == "java"
    assert scenarios.from_dict(scenarios.to_dict(named)).client == "java"


def test_an_unknown_client_is_bad_input_naming_the_key():
    with pytest.raises(scenarios.ScenarioError, match=r"client: must be one of: librdkafka, java"):
        scenarios.parse('title = "t"\nclient = "go"\n')


def test_set_client_overrides_the_scenarios_client():
    scenario = scenarios.apply_overrides(scenarios.load("lost-ack"), [("client", "java")])
    assert scenario.client == "java"


def test_a_config_is_checked_in_the_words_of_the_client_it_runs_with():
    conf = {"enable.idempotence": True, "max.in.flight.requests.per.connection": 6}
    assert clients.validate("java", conf).startswith("ConfigException: To use the idempotent producer")
    assert "max.in.flight" in clients.validate("librdkafka", conf)
    assert clients.validate("java", {"message.timeout.ms": 3000}) is None


def test_the_command_line_refuses_a_config_with_the_java_clients_message(capsys):
    code = main(
        [
            "run",
            "lost-ack",
            "--client",
            "java",
            "--set",
            "enable.idempotence=true",
            "--set",
            "max.in.flight.requests.per.connection=6",
        ]
    )
    assert code == 2
    assert "Current value is 6." in capsys.readouterr().err


def test_the_command_line_refuses_an_unknown_client(capsys):
    assert main(["run", "lost-ack", "--client", "go"]) == 2
