import json

import pytest


@pytest.fixture
def checks(frame_with):
    return lambda at: list(frame_with(at, "check")["check"])


def open_setup(at, tab: str | None = None):
    at.session_state["pg.setup"] = True
    if tab:
        at.session_state["pg.tab"] = tab
    return at.run()


def test_a_link_opens_on_the_result_with_the_setup_folded_and_summarised(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0")
    [setup] = [e for e in at.expander if e.label.startswith("Set up the experiment")]
    assert (
        "The lost receipt" in setup.label
        and "idempotence **OFF**" in setup.label
        and "the answer to produce request 2 is lost" in setup.label
    )
    assert all(r.key != "pg.idem" for r in at.radio)  # nothing drawn inside while folded
    open_setup(at)
    assert at.radio(key="pg.idem").value == "off"


def test_lost_acknowledgement_without_idempotence_stores_a_duplicate(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0")
    assert any(c.startswith("DUPLICATE") for c in checks(at))


def test_switching_idempotence_on_removes_the_duplicate(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack", idem="0"))
    at.radio(key="pg.idem").set_value("on").run()
    assert not at.exception
    assert all(c == "ok" for c in checks(at))
    assert list(frame_with(at, "check")["sequence"]) == [0, 1, 2]


def test_losing_an_acknowledgement_chosen_by_hand_on_a_blank_scenario(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py"), "What goes wrong")
    at.selectbox(key="pg.fault.2").set_value("lost acknowledgement").run()
    open_setup(at, "What the application does")
    at.text_area(key="pg.steps").set_value("send a\nflush\nsend b\nflush\nsend c\nflush").run()
    assert any(c.startswith("DUPLICATE") for c in checks(at))
    assert at.session_state["pg.fault.2"] == "lost acknowledgement"  # kept while its tab is closed


def test_an_invalid_config_is_reported_even_when_its_tab_is_closed(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", idem="1", acks="0"), "What goes wrong")
    assert any("`acks` must be set to `all` when `enable.idempotence` is true" in e.value for e in at.error)


def test_invalid_config_shows_the_real_client_message(open_page, checks, frame_with):
    at = open_page("pages/playground.py")
    at.radio(key="pg.idem").set_value("on").run()
    at.selectbox(key="pg.acks").set_value("1").run()
    messages = [e.value for e in at.error]
    assert any("`acks` must be set to `all` when `enable.idempotence` is true" in m for m in messages)


def test_malformed_deep_link_falls_back_with_a_notice(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="no-such", fault="zz", step="-3", idem="maybe")
    notices = " ".join(w.value for w in at.warning)
    assert "Unknown scenario" in notices and "fault=zz" in notices and "idem=maybe" in notices
    open_setup(at)
    assert at.selectbox(key="pg.scenario").value == "blank"


def mailroom_data(at) -> dict:
    [component] = [c for c in at.get("bidi_component") if c.proto.component_name == "idemlab_mailroom"]
    return json.loads(component.proto.json)


def test_deep_link_opens_the_mail_room_at_that_step(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0", step="3")
    data = mailroom_data(at)
    assert data["start"] == 3 and data["interactive"]
    assert len(data["frames"]) == len(data["events"]) + 1


def test_without_a_step_the_mail_room_opens_at_the_beginning(open_page, checks, frame_with):
    data = mailroom_data(open_page("pages/playground.py", scenario="lost-ack", idem="1"))
    assert data["start"] == 0
    assert [m["kind"] for m in data["moments"]][:1] and "duplicate_caught" in {m["kind"] for m in data["moments"]}


def test_a_click_on_a_receipt_sets_that_fault_and_reruns(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0")
    at.session_state["pg.click_fault"] = {"request": "produce", "nth": 3, "action": "drop_response"}
    at.run()
    assert not at.exception
    assert at.query_params["fault"] in ("2:drop_response,3:drop_response", ["2:drop_response,3:drop_response"])
    assert sum(c.startswith("DUPLICATE") for c in checks(at)) == 2


def test_the_playground_explains_its_run(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0")
    assert any("stored" in m.value and "m2" in m.value for m in at.markdown if m.value.startswith("- "))


def test_partitions_can_be_chosen_and_travel_in_the_link(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack", idem="1"))
    at.number_input(key="pg.partitions").set_value(3).run()
    assert not at.exception
    assert at.query_params["parts"] in ("3", ["3"])


def test_the_in_flight_limit_that_applies_is_shown(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack", idem="1"))
    captions = " ".join(c.value for c in at.caption)
    assert "In flight that applies: **5**" in captions


def test_the_url_follows_the_setup(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack"))
    at.radio(key="pg.idem").set_value("on").run()
    value = at.query_params["idem"]
    assert value in ("1", ["1"])


def test_equivalent_code_is_offered(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="1")
    assert not at.code and not at.get("download_button")  # built only when the take-away is opened
    at.session_state["pg.takeaway"] = True
    at.run()
    downloads = {b.proto.label for b in at.get("download_button")}
    assert {"Trace as CSV", "Trace as JSON", "producer.py", "IdempotentProducerExample.java"} <= downloads
    code = " ".join(c.value for c in at.code)
    assert "'enable.idempotence': True" in code and "ENABLE_IDEMPOTENCE_CONFIG, true" in code


def test_lesson_8s_scenario_opens_on_the_java_clients_quiet_switch_off(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="seed-java-acks-1")
    assert not at.error and any(c.startswith("DUPLICATE") for c in checks(at))
    [setup] = [e for e in at.expander if e.label.startswith("Set up the experiment")]
    assert (
        "idempotence **OFF** (the Java client's default is on; acks or retries conflict, so it is quietly off)"
        in setup.label
    )
    open_setup(at)
    control = at.radio(key="pg.idem")
    assert control.value == "default" and "on for Java" in " ".join(map(str, control.options))


def test_choosing_the_clients_default_leaves_idempotence_out_of_the_link(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack", idem="1", client="java"))
    at.radio(key="pg.idem").set_value("default").run()
    assert at.query_params["idem"] in ("default", ["default"])
    assert all(c == "ok" for c in checks(at))  # Java's default is on


def test_a_steps_message_size_is_kept_so_the_oversized_letter_is_refused(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="message-too-large")
    assert "m2" not in list(frame_with(at, "check")["value"])
    open_setup(at, "What the application does")
    assert "send m2 bytes=5000" in at.text_area(key="pg.steps").value
