"""A playground link's three-state idempotence and a step's message size."""

import pytest

from idemlab import scenarios
from ui.views import deeplink
from ui.views.control_ranges import MAX_MESSAGE_BYTES
from ui.views.playground_spec import build, idem_label, spec_for, steps_from_text, steps_to_text

NAMES = scenarios.available()


@pytest.mark.parametrize("raw", ["default", "DEFAULT", " default "])
def test_idem_default_leaves_enable_idempotence_to_the_client(raw):
    spec, notices = deeplink.decode({"scenario": "lost-ack", "idem": "1", "client": "java"} | {"idem": raw}, NAMES)
    assert notices == [] and "enable.idempotence" not in spec.producer
    assert "enable.idempotence" not in build(spec).producer
    assert deeplink.encode(spec)["idem"] == "default"


def test_without_idem_the_scenarios_own_setting_holds():
    assert deeplink.decode({"scenario": "reorder-idempotent"}, NAMES)[0].producer["enable.idempotence"] is True
    assert "enable.idempotence" not in deeplink.decode({"scenario": "seed-java-acks-1"}, NAMES)[0].producer


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("0", False), ("on", True), ("false", False)])
def test_old_links_with_idem_1_or_0_still_set_it(raw, value):
    spec, notices = deeplink.decode({"scenario": "seed-java-acks-1", "idem": raw}, NAMES)
    assert notices == [] and spec.producer["enable.idempotence"] is value
    assert deeplink.encode(spec)["idem"] == ("1" if value else "0")


def test_an_unknown_idem_value_is_ignored_with_a_notice():
    spec, [notice] = deeplink.decode({"scenario": "seed-java-acks-1", "idem": "defaults"}, NAMES)
    assert "idem=defaults" in notice and "enable.idempotence" not in spec.producer


def test_the_default_option_says_what_the_clients_default_is():
    assert "on for Java" in idem_label("default", "java")
    assert "off for librdkafka" in idem_label("default", "librdkafka")


def test_a_steps_size_survives_the_editor_and_the_link():
    spec = spec_for("message-too-large")
    assert "send m2 bytes=5000" in spec.steps_text.splitlines()
    spec.steps_text = spec.steps_text.replace("bytes=5000", "bytes=6000")
    link = deeplink.encode(spec)
    assert "bytes=6000" in link["steps"]
    again, notices = deeplink.decode(link, NAMES)
    assert notices == [] and build(again).steps[2].pad_to == 6000


@pytest.mark.parametrize(("raw", "held"), [("99999999", MAX_MESSAGE_BYTES), ("0", 1)])
def test_a_links_size_out_of_range_is_held_to_the_range_with_a_notice(raw, held):
    spec, [notice] = deeplink.decode({"scenario": "message-too-large", "steps": f"send m1 bytes={raw};flush"}, NAMES)
    assert build(spec).steps[0].pad_to == held
    assert f"bytes={raw}" in notice and f"bytes={held}" in notice


def test_a_malformed_size_is_refused_with_a_notice():
    spec, [notice] = deeplink.decode({"scenario": "message-too-large", "steps": "send m1 bytes=lots;flush"}, NAMES)
    assert "bytes=lots" in notice and spec.steps_text == spec_for("message-too-large").steps_text


def test_the_step_editor_refuses_a_size_beyond_the_controls_range():
    with pytest.raises(scenarios.ScenarioError, match="bytes="):
        steps_from_text(f"send m1 bytes={MAX_MESSAGE_BYTES + 1}")
    assert steps_to_text(steps_from_text("send a b key=k partition=0 bytes=7")) == "send a b key=k partition=0 bytes=7"


def test_the_room_refuses_a_scenario_with_messages_past_the_size_limit():
    data = scenarios.to_dict(scenarios.load("message-too-large"))
    data["step"][2]["bytes"] = MAX_MESSAGE_BYTES + 1
    problem = deeplink.room_problem(scenarios.from_dict(data, source="test", name="big"))
    assert problem and str(MAX_MESSAGE_BYTES) in problem
