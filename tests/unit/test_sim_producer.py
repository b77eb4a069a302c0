"""The simulated producer follows librdkafka (reference §3.1, §12)."""

from idemlab.model import DELIVERY_REPORT, EPOCH_BUMP, PRODUCER_ID_ASSIGNED, REQUEST_SENT


def produce_requests(trace):
    return [e for e in trace.events if e.kind == REQUEST_SENT and e.get("api") == "produce"]


def scenario(
    producer="", steps='[[step]]\nsend = ["a", "b", "c", "d", "e", "f", "g"]\n[[step]]\nflush = true', faults=""
):
    return f'title = "t"\n[producer]\n"enable.idempotence" = true\n{producer}\n{steps}\n{faults}'


def test_values_of_one_send_step_form_one_batch_by_default(run_toml):
    assert [e.get("record_count") for e in produce_requests(run_toml(scenario()))] == [7]


def test_batch_num_messages_caps_the_batch(run_toml):
    trace = run_toml(scenario('"batch.num.messages" = 3'))
    assert [e.get("record_count") for e in produce_requests(trace)] == [3, 3, 1]
    assert [e.get("base_sequence") for e in produce_requests(trace)] == [0, 3, 6]


def test_idempotent_in_flight_limit_counts_messages_not_requests(run_toml):
    faults = '[[fault]]\nrequest = "produce"\nnth = 1\naction = "delay"\ndelay_ms = 1000'
    trace = run_toml(scenario('"batch.num.messages" = 3', faults=faults))
    first, second = produce_requests(trace)[:2]
    # 3 + 3 messages: the second request is built while 3 (< 5) are in flight; the third waits.
    assert first.t_ms == second.t_ms
    assert produce_requests(trace)[2].t_ms >= first.t_ms + 1000


def test_single_message_batches_allow_five_requests_in_flight(run_toml):
    faults = '[[fault]]\nrequest = "produce"\nnth = 1\naction = "delay"\ndelay_ms = 1000'
    trace = run_toml(scenario('"batch.num.messages" = 1', faults=faults))
    times = [e.t_ms for e in produce_requests(trace)]
    assert len(set(times[:5])) == 1 and times[5] > times[0]


def test_linger_holds_a_lone_message_until_it_expires(run_toml):
    trace = run_toml(scenario('"linger.ms" = 250', steps='[[step]]\nsend = ["a"]\n[[step]]\nwait_ms = 1000'))
    pid_at = next(e.t_ms for e in trace.events if e.kind == PRODUCER_ID_ASSIGNED)
    assert produce_requests(trace)[0].t_ms == max(pid_at, 250)


def test_a_retried_batch_keeps_its_boundaries_and_sequences(run_toml):
    faults = '[[fault]]\nrequest = "produce"\nnth = 1\naction = "error"\nerror = "NOT_ENOUGH_REPLICAS"'
    steps = '[[step]]\nsend = ["z"]\n[[step]]\nflush = true\n[[step]]\nsend = ["a", "b", "c", "d"]'
    faults = faults.replace("nth = 1", "nth = 2")
    trace = run_toml(scenario('"batch.num.messages" = 4', steps=steps, faults=faults))
    sent = [(e.get("base_sequence"), e.get("record_count"), e.get("attempt")) for e in produce_requests(trace)]
    assert sent[1] == (1, 4, 1)
    assert sent[2] == (1, 4, 2)
    assert [r.value for r in trace.stored] == list("zabcd")


def test_retries_exhausted_report_the_brokers_error(run_toml):
    text = (
        'title = "t"\n[producer]\n"retries" = 1\n[[step]]\nsend = ["a"]\n[[step]]\nflush = true\n'
        '[[fault]]\nrequest = "produce"\nprobability = 1.0\naction = "error"\nerror = "NOT_ENOUGH_REPLICAS"'
    )
    trace = run_toml(text)
    assert [(d.value, d.error) for d in trace.deliveries] == [("a", "NOT_ENOUGH_REPLICAS")]
    assert len(produce_requests(trace)) == 2


def test_a_message_stuck_in_the_queue_times_out_and_bumps_the_epoch(run_toml):
    steps = (
        '[[step]]\nsend = ["a"]\n[[step]]\nflush = true\n[[step]]\nbroker = "stop"\n'
        '[[step]]\nsend = ["b"]\n[[step]]\nflush = true'
    )
    trace = run_toml(scenario('"message.timeout.ms" = 2000', steps=steps))
    assert [(d.value, d.error) for d in trace.deliveries] == [("a", None), ("b", "_MSG_TIMED_OUT")]
    assert [e.get("to_epoch") for e in trace.events if e.kind == EPOCH_BUMP] == [1]


def test_implicitly_acked_messages_are_reported_delivered(run_named):
    trace = run_named("new-partition-loss")
    implicit = [e for e in trace.events if e.kind == DELIVERY_REPORT and e.get("implicit_ack")]
    assert [e.get("value") for e in implicit] == ["m1"]


def test_acks_zero_reports_delivery_without_waiting_for_the_broker(run_toml):
    text = 'title = "t"\n[producer]\n"acks" = 0\n[[step]]\nsend = ["a"]\n[[step]]\nflush = true'
    trace = run_toml(text)
    assert [(d.error, d.offset) for d in trace.deliveries] == [(None, None)]
    assert [r.value for r in trace.stored] == ["a"]


def test_a_restarted_producer_gets_the_next_pid_on_a_fresh_cluster(run_named):
    pids = [e.get("producer_id") for e in run_named("producer-restart").events if e.kind == PRODUCER_ID_ASSIGNED]
    assert pids == [0, 1]


def test_a_broker_restart_moves_new_pids_to_the_next_block(run_toml):
    steps = (
        '[[step]]\nsend = ["a"]\n[[step]]\nflush = true\n[[step]]\nbroker = "stop"\n'
        '[[step]]\nbroker = "start"\n[[step]]\nrestart_producer = true\n[[step]]\nsend = ["b"]'
    )
    pids = [e.get("producer_id") for e in run_toml(scenario(steps=steps)).events if e.kind == PRODUCER_ID_ASSIGNED]
    assert pids == [0, 1000]


def test_the_first_init_producer_id_after_broker_start_is_refused_once(run_named):
    answers = [
        e.get("error")
        for e in run_named("happy-path").events
        if e.kind == "response" and e.get("api") == "init_producer_id"
    ]
    assert answers == ["COORDINATOR_LOAD_IN_PROGRESS", None]


def test_same_scenario_and_seed_give_the_same_trace(run_toml):
    text = scenario(
        '"batch.num.messages" = 1',
        faults='[[fault]]\nrequest = "produce"\nprobability = 0.3\nseed = 7\naction = "drop_response"',
    )
    assert run_toml(text).events == run_toml(text).events


def test_invalid_config_ends_the_run_with_the_clients_message(run_toml):
    trace = run_toml('title = "t"\n[producer]\n"enable.idempotence" = true\n"acks" = 1\n[[step]]\nsend = ["a"]')
    assert trace.run_error == "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true"
    assert trace.events == []


def test_a_delay_longer_than_every_timeout_cannot_hang_the_run(run_toml):
    faults = '[[fault]]\nrequest = "produce"\nprobability = 1.0\naction = "delay"\ndelay_ms = 3600000'
    trace = run_toml(scenario('"message.timeout.ms" = 3000', faults=faults))
    assert all(d.error == "_MSG_TIMED_OUT" for d in trace.deliveries)
