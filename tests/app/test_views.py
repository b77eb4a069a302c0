"""The pure view builders, on small hand-built traces (no Streamlit)."""

from idemlab import codegen, sim, tables, words
from idemlab import model as m
from idemlab.scenarios import from_dict
from idemlab.timeline import ProducerStateRow
from tests.app.html_tables import html_frames
from ui.views import deeplink, row_tints
from ui.views.html_table import html_table
from ui.views.playground_spec import fault_from_token, fault_to_token, steps_from_text, steps_to_text
from ui.views.sequence_figure import sequence_figure
from ui.views.snapshot import snapshot


def record(offset, msg, seq=-1, pid=-1):
    return m.StoredRecord(0, offset, f"m{msg}", None, pid, 0 if pid >= 0 else -1, seq, msg)


def lost_ack_trace():
    """m1's acknowledgement lost without idempotence: stored twice, run by the simulator."""
    return sim.run(
        from_dict(
            {
                "title": "lost ack",
                "producer": {"enable.idempotence": False, "acks": "all", "linger.ms": 0},
                "step": [{"send": ["m1"]}],
                "fault": [{"request": "produce", "nth": 1, "action": "drop_response"}],
            }
        )
    )


def test_stored_log_flags_the_second_copy_as_a_duplicate_in_words():
    frame = tables.stored_log_frame([record(0, 1), record(1, 1), record(2, 2)])
    assert list(frame["check"]) == ["ok", "DUPLICATE of offset 0 (m1 stored twice)", "ok"]
    assert row_tints.stored_row_tints(frame)[1].startswith("background-color")


def test_stored_log_flags_out_of_order_records():
    frame = tables.stored_log_frame([record(0, 2), record(1, 1)])
    assert frame["check"][1].startswith("OUT OF ORDER")


def test_deliveries_call_out_failed_but_stored_and_delivered_but_not_stored():
    deliveries = [m.Delivery(1, "m1", 0, None, "_MSG_TIMED_OUT"), m.Delivery(2, "m2", 0, 5, None)]
    frame = tables.deliveries_frame(deliveries, [record(0, 1)])
    assert list(frame["verdict"]) == ["REPORTED FAILED BUT STORED", "REPORTED DELIVERED BUT NOT STORED"]


def test_snapshot_follows_the_position():
    trace = lost_ack_trace()
    first = next(i for i, e in enumerate(trace.events) if e.kind == m.BROKER_DECISION)
    assert snapshot(trace, first).stored == []
    assert [(r.offset, r.value, r.msg) for r in snapshot(trace, first + 1).stored] == [(0, "m1", 1)]
    assert [(r.offset, r.msg) for r in snapshot(trace, len(trace.events)).stored] == [(0, 1), (1, 1)]
    assert snapshot(trace, 0).event is None


def test_producer_state_lists_remembered_batches():
    rows = [
        ProducerStateRow(
            partition=0, producer_id=7, producer_epoch=0, last_sequence=2, batches=((0, 1, 0, 1), (2, 2, 2, 2))
        )
    ]
    frame = tables.producer_state_frame(rows)
    assert frame.iloc[0, -1] == "seq 0–1 → offset 0–1; seq 2 → offset 2"


def test_sequence_diagram_labels_arrows_and_marks_the_lost_acknowledgement():
    fig = sequence_figure(lost_ack_trace())
    texts = " ".join(a.text or "" for a in fig.layout.annotations)
    assert "#1 Produce [m1]" in texts and "acknowledgement lost" in texts and "(retry)" in texts
    assert fig.layout.height > 0


def test_sequence_diagram_shows_only_events_up_to_the_position():
    texts = " ".join(a.text or "" for a in sequence_figure(lost_ack_trace(), 2).layout.annotations)
    assert "acknowledgement lost" not in texts


def test_event_words_give_ids_and_sequence_range():
    event = m.event(
        0,
        m.REQUEST_SENT,
        api="produce",
        request_no=3,
        broker=1,
        producer_id=1000,
        producer_epoch=0,
        base_sequence=4,
        last_sequence=5,
        record_count=2,
        values=["a", "b"],
    )
    assert words.describe(event) == "Request #3: Produce [a, b] PID 1000 · epoch 0 · seq 4–5"
    wrapped = m.event(
        0,
        m.REQUEST_SENT,
        api="produce",
        request_no=4,
        broker=1,
        producer_id=1000,
        producer_epoch=0,
        base_sequence=m.INT32_MAX,
        last_sequence=m.sequence_at(m.INT32_MAX, 1),
        record_count=2,
    )
    assert words.ids(wrapped) == f"PID 1000 · epoch 0 · seq {m.INT32_MAX}–0"


def test_steps_text_round_trips():
    steps = [
        {"send": ["a", "b"], "key": "k"},
        {"flush": True},
        {"restart_producer": True},
        {"wait_ms": 500},
        {"broker": "stop", "broker_id": 1},
    ]
    assert steps_from_text(steps_to_text(steps)) == steps


def test_fault_tokens_round_trip():
    for token in [
        "2:drop_response",
        "3:error:NOT_ENOUGH_REPLICAS",
        "4:delay:500",
        "init:1:error:COORDINATOR_LOAD_IN_PROGRESS",
        "p0.2:drop_request:s7",
    ]:
        assert fault_to_token(fault_from_token(token)) == token


def test_deep_link_round_trips_through_encode_and_decode():
    spec, notices = deeplink.decode(
        {"idem": "1", "fault": "2:drop_response", "step": "5", "steps": "send a b;flush"}, available=[]
    )
    assert notices == []
    again, _ = deeplink.decode(deeplink.encode(spec), available=[])
    assert again == spec


def test_malformed_deep_link_values_fall_back_with_notices():
    spec, notices = deeplink.decode({"scenario": "x" * 5000, "linger": "-4", "steps": "jump"}, available=[])
    assert spec.scenario == "blank" and len(notices) == 3


def test_generated_code_carries_the_config_in_both_languages():
    scenario = from_dict(
        {
            "title": "T",
            "producer": {"enable.idempotence": True, "acks": "all", "linger.ms": 5},
            "step": [{"send": ["hello"]}],
        }
    )
    python = codegen.python_producer(scenario)
    java = codegen.java_producer(scenario)
    compile(python, "producer.py", "exec")
    assert "'enable.idempotence': True" in python and "value='hello'" in python
    assert "props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);" in java
    assert 'props.put(ProducerConfig.ACKS_CONFIG, "all");' in java and "LINGER_MS_CONFIG, 5" in java


def test_short_tables_are_real_html_tables_with_tinted_rows_and_escaped_values():
    frame = tables.stored_log_frame([record(0, 1), record(1, 1)])
    frame.loc[0, "value"] = "<script>"
    html = html_table(frame, row_tints.stored_row_tints(frame), caption="The stored log")
    [parsed] = html_frames(html)
    assert list(parsed.columns) == list(frame.columns)
    assert list(parsed["check"]) == list(frame["check"]) and parsed.loc[1, "check"].startswith("DUPLICATE")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<tr style=") == 1 and '<caption class="idl-sr">The stored log</caption>' in html


def test_a_column_that_only_repeats_another_is_left_out():
    frame = tables.stored_log_frame([record(0, 1), record(1, 2)])
    assert "message" not in tables.without_echo(frame, kept="value", echo="message")
    frame.loc[1, "value"] = "hello"
    assert "message" in tables.without_echo(frame, kept="value", echo="message")
