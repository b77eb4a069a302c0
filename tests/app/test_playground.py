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
    assert "lost-ack" in setup.label and "idempotence **OFF**" in setup.label and "2:drop_response" in setup.label
    assert not at.toggle  # nothing drawn inside while folded
    open_setup(at)
    assert at.toggle(key="pg.idem").value is False


def test_lost_acknowledgement_without_idempotence_stores_a_duplicate(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0")
    assert any(c.startswith("DUPLICATE") for c in checks(at))


def test_switching_idempotence_on_removes_the_duplicate(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack", idem="0"))
    at.toggle(key="pg.idem").set_value(True).run()
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
    at.toggle(key="pg.idem").set_value(True).run()
    at.selectbox(key="pg.acks").set_value("1").run()
    messages = [e.value for e in at.error]
    assert any("`acks` must be set to `all` when `enable.idempotence` is true" in m for m in messages)


def test_malformed_deep_link_falls_back_with_a_notice(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="no-such", fault="zz", step="-3", idem="maybe")
    notices = " ".join(w.value for w in at.warning)
    assert "Unknown scenario" in notices and "fault=zz" in notices and "idem=maybe" in notices
    open_setup(at)
    assert at.selectbox(key="pg.scenario").value == "blank"


def test_deep_link_sets_the_step_position(open_page, checks, frame_with):
    at = open_page("pages/playground.py", scenario="lost-ack", idem="0", step="3")
    assert at.slider(key="pg.pos").value == 3
    at.button(key="pg.fwd").click().run()
    assert at.slider(key="pg.pos").value == 4
    assert at.query_params["step"] == ["4"] or at.query_params["step"] == "4"


def test_the_url_follows_the_setup(open_page, checks, frame_with):
    at = open_setup(open_page("pages/playground.py", scenario="lost-ack"))
    at.toggle(key="pg.idem").set_value(True).run()
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
