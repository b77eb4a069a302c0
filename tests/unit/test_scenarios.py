"""Scenario files: the documented shape is accepted, every mistake is one clear line."""

import pytest

from idemlab import scenarios
from idemlab.scenarios import ScenarioError, apply_overrides, parse, parse_override

ISSUE_EXAMPLE = """
title = "The lost receipt"
summary = "The broker stores m2, but its acknowledgement never reaches the producer."
partitions = 1
[producer]                      # real confluent-kafka property names
"enable.idempotence" = true
"linger.ms" = 0
[[step]]
send = ["m1", "m2", "m3"]       # one produce() per value, in order
[[step]]
flush = true
[[step]]
restart_producer = true         # other steps: wait_ms = N, broker = "stop" | "kill" | "start"
[[fault]]
request = "produce"             # or "init_producer_id"
nth = 2                         # the 2nd such request on the wire, retries counted
action = "drop_response"        # drop_request | error | delay | disconnect
"""


def test_the_documented_shape_is_accepted():
    scenario = parse(ISSUE_EXAMPLE)
    assert [s.kind for s in scenario.steps] == ["send", "flush", "restart_producer"]
    assert scenario.faults[0].nth == 2 and scenario.idempotent


def test_every_shipped_scenario_loads():
    names = scenarios.available()
    for required in [
        "happy-path",
        "lost-ack",
        "lost-request",
        "producer-restart",
        "app-resend",
        "reorder",
        "reorder-idempotent",
        "timeout-but-stored",
        "message-too-large",
        "gapless-fatal",
        "producer-expiry-late-retry",
        "broker-restart",
        "leader-failover",
    ]:
        assert required in names
    for name in names:
        assert scenarios.load(name).title


@pytest.mark.parametrize(
    "text,expected",
    [
        ('title = "x"\ncolour = 1', "<s>: colour: unknown key"),
        ('summary = "no title"', "<s>: title: is required"),
        ('title = "x"\npartitions = "two"', "<s>: partitions: must be a whole number, not 'two'"),
        ('title = "x"\npartitions = 0', "<s>: partitions: must be from 1 to 64, not 0"),
        ('title = "x"\n[[step]]\nsend = []', "<s>: step[1].send: must be a non-empty list of strings"),
        ('title = "x"\n[[step]]\nflush = true\nwait_ms = 3', "<s>: step[1]: needs exactly one of"),
        ('title = "x"\n[[step]]\nbroker = "reboot"', "<s>: step[1].broker: must be one of: stop, kill, start"),
        ('title = "x"\n[[fault]]\nnth = 1\naction = "explode"', "<s>: fault[1].action: must be one of"),
        ('title = "x"\n[[fault]]\naction = "drop_response"', "<s>: fault[1].nth: give either nth"),
        ('title = "x"\n[[fault]]\nnth = 1\naction = "error"', "<s>: fault[1].error: is required"),
        (
            'title = "x"\n[[fault]]\nnth = 1\naction = "error"\nerror = "OOPS"',
            "<s>: fault[1].error: unknown Kafka error 'OOPS'",
        ),
        ('title = "x"\n[[fault]]\nnth = 1\naction = "delay"', "<s>: fault[1].delay_ms: is required"),
        (
            'title = "x"\n[[fault]]\nprobability = 2.0\naction = "delay"\ndelay_ms = 1',
            "<s>: fault[1].probability: must be a number from 0 to 1",
        ),
        ('title = "x"\n[topic]\n"retention.ms" = 5', "<s>: topic.retention.ms: unknown key"),
        ("title = [", "<s>: not valid TOML"),
    ],
)
def test_a_mistake_is_one_line_naming_the_file_and_the_key(text, expected):
    with pytest.raises(ScenarioError) as caught:
        parse(text, source="<s>")
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_an_unknown_scenario_name_lists_the_available_ones():
    with pytest.raises(ScenarioError, match="lost-ack"):
        scenarios.load("lost-ak")


def test_overrides_reach_producer_properties_scenario_values_and_faults():
    base = scenarios.load("lost-ack")
    changed = apply_overrides(
        base,
        [
            parse_override("enable.idempotence=true"),
            parse_override("nth=3"),
            parse_override("acks=all"),
            parse_override("topic.max.message.bytes=2000"),
            parse_override("partitions=2"),
        ],
    )
    assert changed.producer["enable.idempotence"] is True and changed.producer["acks"] == "all"
    assert changed.faults[0].nth == 3
    assert changed.topic == {"max.message.bytes": 2000} and changed.partitions == 2


def test_steps_can_be_overridden_too():
    changed = apply_overrides(
        scenarios.load("lost-ack"), [parse_override('step.1.send=["x", "y"]'), parse_override("step.2.wait_ms=50")]
    )
    assert changed.steps[0].values == ("x", "y")
    assert changed.steps[1].kind == "wait" and changed.steps[1].wait_ms == 50


def test_switching_a_fault_to_random_drops_its_ordinal():
    changed = apply_overrides(scenarios.load("lost-ack"), [("probability", 0.5)])
    assert changed.faults[0].nth is None and changed.faults[0].probability == 0.5


@pytest.mark.parametrize(
    "override,expected",
    [
        ("nth=x", "fault[1].nth: must be a whole number"),
        ("colour=red", "--set colour: unknown key"),
        ("fault.x.nth=1", "--set fault.x.nth: expected fault.N.<key>"),
        ("novalue", "--set novalue: expected key=value"),
        ("step.99.send=1", "--set step.99.send: expected step.N.<key> with N from 1 to 6"),
    ],
)
def test_bad_overrides_are_one_clear_line(override, expected):
    with pytest.raises(ScenarioError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        apply_overrides(scenarios.load("lost-ack"), [parse_override(override)])


def test_scenario_round_trips_through_its_dict():
    for name in scenarios.available():
        scenario = scenarios.load(name)
        again = scenarios.from_dict(scenarios.to_dict(scenario), source=scenario.source, name=name)
        assert again == scenario
