"""Limits that keep one visitor from hurting the others (issue 11): bounded simulated
runs, links held to the controls' ranges, escaping, a bounded cache, operator-listed
clusters, a server-wide queue for real runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from idemlab import scenarios
from idemlab.sim import simulation as sim_engine
from ui.views import deeplink, safe
from ui.views.playground_spec import build

ROOT = Path(__file__).resolve().parents[2]


def scenario(**extra):
    data = {"title": "x", "step": [{"send": ["a", "b", "c"]}]}
    data.update(extra)
    return scenarios.from_dict(data)


# ---- the simulator stops after a bounded amount of work, and says so ----------------------
def test_a_run_that_would_retry_for_days_stops_and_says_so():
    s = scenario(
        producer={"message.timeout.ms": 2_147_483_647},
        fault=[{"probability": 1.0, "action": "drop_request"}],
    )
    trace = sim_engine.run(s)
    _max_actions, max_events = sim_engine.work_limits(s)
    assert len(trace.events) <= max_events + 1
    assert trace.run_error and "simulation stopped after" in trace.run_error
    assert trace.events[-1].kind == "run_error"


def test_ordinary_and_large_runs_are_not_stopped():
    for name in scenarios.available():
        assert "simulation stopped" not in (sim_engine.run(scenarios.load(name)).run_error or ""), name
    big = scenario(step=[{"send": [f"m{i}" for i in range(20_000)]}, {"flush": True}])
    assert sim_engine.run(big).run_error is None


# ---- links: the controls' ranges, the usual notice -------------------------------------------
AVAILABLE = scenarios.available()


def decode(**params):
    return deeplink.decode({"scenario": "blank", **params}, AVAILABLE)


@pytest.mark.parametrize(
    "key,value",
    [
        ("timeout", "2147483647"),
        ("timeout", "300001"),
        ("fault", "p1:drop_request"),
        ("fault", "p0.9:drop_response:s3"),
        ("fault", "p-0.1:drop_response"),
        ("fault", "pnan:drop_response"),
        ("fault", "2:delay:600001"),
        ("fault", "1000001:drop_response"),
        ("fault", ",".join(["1:drop_response"] * 13)),
        ("steps", "send " + " ".join(f"m{i}" for i in range(201))),
        ("steps", "wait 60001"),
        ("steps", "send " + "a" * 2100),
        ("steps", ";".join(["flush"] * 101)),
        ("step", "99999999999"),
        ("inflight", "0"),
    ],
)
def test_link_values_outside_the_controls_ranges_get_a_notice_and_the_default(key, value):
    spec, notices = decode(**{key: value})
    assert notices, f"{key}={value} accepted"
    default = deeplink.spec_for("blank")
    assert spec.producer.get("message.timeout.ms") == default.producer.get("message.timeout.ms")
    assert all((f.get("probability") or 0) <= deeplink.MAX_RANDOM_RATE for f in spec.faults)
    assert deeplink.room_problem(build(spec)) is None


def test_link_values_inside_the_ranges_are_kept():
    spec, notices = decode(timeout="300000", fault="p0.5:drop_request:s7,3:delay:600000", steps="send a b;wait 60000")
    assert notices == []
    assert spec.producer["message.timeout.ms"] == 300_000
    assert spec.faults[0]["probability"] == 0.5


def test_the_controls_use_the_same_ranges():
    from ui.widgets import playground_form

    assert playground_form.NUMBER_CONTROLS["pg.timeout"][3] == deeplink.MAX_TIMEOUT_MS
    for key, (prop, low, high) in deeplink.INT_KEYS.items():
        control = next(c for c in playground_form.NUMBER_CONTROLS.values() if c[0] == prop)
        assert (control[2], control[3]) == (low, high), key


def test_every_shipped_scenario_is_within_the_room_limits():
    for name in AVAILABLE:
        assert deeplink.room_problem(scenarios.load(name)) is None, name


def test_the_app_refuses_a_scenario_beyond_the_limits_without_running_it(monkeypatch):
    from ui.widgets import runs

    monkeypatch.setattr(runs, "_simulate", lambda *a: pytest.fail("ran"))
    big = scenario(step=[{"send": [f"m{i}" for i in range(500)]}])
    result = runs.run(big)
    assert result.trace is None and "at most 200" in result.error


# ---- escaping --------------------------------------------------------------------------------
HOSTILE = [
    "![x](http://evil.example/a.png)",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "www.evil.example",
    "http://evil.example/",
    ":red[big] :material/mail: $x^2$",
    "`code` ``` fence",
    "\x1b[31mred\x1b[0m\u202e",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escapes_every_construct(text):
    out = safe.md(text)
    assert not re.search(r"(?<!\\)[\[\]()<>!`:$.]", out.replace("&lt;", "").replace("&gt;", "").replace("&amp;", ""))
    assert "\x1b" not in out and "\u202e" not in out


@pytest.mark.parametrize("text", HOSTILE)
def test_code_span_cannot_be_broken_out_of(text):
    out = safe.code(text)
    fence = re.match(r"`+", out).group(0)
    assert out.endswith(fence) and fence not in out[len(fence) : -len(fence)]


def test_html_escapes_markup():
    assert safe.html('<img src="x" onerror=alert(1)>') == "&lt;img src=&quot;x&quot; onerror=alert(1)&gt;"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_message_values_are_refused_in_the_playground(text):
    spec, notices = decode(steps=f"send {text.replace(';', ' ')}")
    assert notices
    assert "evil" not in spec.steps_text and "<img" not in spec.steps_text
    for notice in notices:  # the notice names the value only inside a code span
        outside = re.sub(r"(`+).*?\1", "", notice)
        assert "evil" not in outside and "<img" not in outside


def test_notices_quote_a_hostile_scenario_name_inertly():
    _spec, notices = deeplink.decode({"scenario": "[x](http://evil.example)`<b>"}, AVAILABLE)
    outside = re.sub(r"(`+).*?\1", "", notices[0])
    assert "evil" not in outside


# ---- the cache cannot pin unbounded memory ----------------------------------------------------
def test_the_simulator_cache_is_bounded_by_entries_and_size():
    from ui.widgets import runs

    assert runs.CACHE_MAX_ENTRIES <= 256
    assert runs.CACHE_MAX_SIZE
    from pathlib import Path

    source = Path(runs.__file__).read_text()
    assert "@st.cache_data(max_entries=CACHE_MAX_ENTRIES, max_size=CACHE_MAX_SIZE" in source


# ---- operator-listed clusters ------------------------------------------------------------------
def test_clusters_come_from_the_operator_and_malformed_entries_are_dropped(monkeypatch):
    from ui.widgets import backend_picker

    parsed = backend_picker.parse_clusters("Team=k1:9092,k2:9092; 127.0.0.1:1 ;bad=http://x;evil=h:99999")
    assert parsed == {"Team": "k1:9092,k2:9092", "127.0.0.1:1": "127.0.0.1:1"}
    monkeypatch.delenv("IDEMLAB_CLUSTERS", raising=False)
    monkeypatch.delenv("IDEMLAB_BACKENDS", raising=False)
    assert backend_picker.allowed() == ["sim", "local"]
    monkeypatch.setenv("IDEMLAB_CLUSTERS", "Team=k1:9092")
    assert backend_picker.allowed() == ["sim", "local", "cluster"]
    monkeypatch.setenv("IDEMLAB_BACKENDS", "sim")
    assert backend_picker.allowed() == ["sim"]


# ---- real runs: a server-wide queue --------------------------------------------------------
def test_real_runs_queue_server_wide_with_positions(monkeypatch, tmp_path):
    monkeypatch.setenv("IDEMLAB_ROOM_DIR", str(tmp_path))  # this test's own room
    from ui.widgets import live_run

    monkeypatch.setenv("IDEMLAB_MAX_REAL_RUNS", "1")
    jobs = [live_run.Job() for _ in range(3)]
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def worker(job):
        live_run._wait_for_slot(job)
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(5)
        with lock:
            running[0] -= 1
        live_run._free_slot()

    with live_run._SLOTS:
        live_run._WAITING.extend(jobs)
    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while jobs[0].queue_position and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [job.queue_position for job in jobs] == [0, 1, 2]
    release.set()
    for thread in threads:
        thread.join(10)
    assert peak[0] == 1 and live_run.load() == (0, 0)


def test_dedicated_clusters_are_limited(monkeypatch, tmp_path):
    monkeypatch.setenv("IDEMLAB_ROOM_DIR", str(tmp_path))
    pytest.importorskip("confluent_kafka")
    from idemlab.kafka import clusters

    monkeypatch.setenv("IDEMLAB_MAX_DEDICATED", "1")
    assert clusters.DEDICATED.take(0.1)
    try:
        assert not clusters.DEDICATED.take(0.1)
    finally:
        clusters.DEDICATED.give_back()
    assert clusters.DEDICATED.take(0.1)
    clusters.DEDICATED.give_back()


def test_waits_on_a_real_broker_are_capped(monkeypatch):
    pytest.importorskip("confluent_kafka")
    from idemlab.kafka import runner

    assert runner.max_wait_ms() == runner.MAX_WAIT_MS
    monkeypatch.setenv("IDEMLAB_MAX_REAL_WAIT_MS", "5")
    run = runner.RealRun(scenario(step=[{"wait_ms": 3_600_000}]), "local", None, None)
    polled: list[float] = []
    run.producer = type("P", (), {"poll": lambda self, t: polled.append(t)})()
    run.wait(run.scenario.steps[0])
    assert polled and max(polled) <= 0.005
    assert run.events[0].detail == {"wait_ms": 5, "capped_from_ms": 3_600_000}


@pytest.mark.parametrize("text", ["www.evil.invalid", "WWW.evil.invalid", "https://evil.invalid/x", "me@evil.invalid"])
def test_md_leaves_no_autolink_pattern_even_once_invisible_characters_are_dropped(text):
    out = safe.md(text)
    for pattern in (r"www\\?\.", r"https?\\?:", r"[A-Za-z]\\?@"):
        assert not re.search(pattern, out, re.IGNORECASE), (pattern, out)
    assert "\\\u2060" not in out  # a joiner never follows a backslash (that would show the backslash)


def _run_in_a_room_process(room_dir, running, peak, lock, release, finished):
    """One worker process of the room: three threads, each one real run taking a slot."""
    os.environ["IDEMLAB_ROOM_DIR"] = room_dir
    from idemlab.room_slots import Slots

    slots = Slots("real-runs", lambda: 2)

    def one_run():
        assert slots.take(120)
        with lock:
            running.value += 1
            peak.value = max(peak.value, running.value)
        release.wait(120)
        with lock:
            running.value -= 1
            finished.value += 1
        slots.give_back()

    threads = [threading.Thread(target=one_run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_real_run_slots_are_shared_by_the_rooms_processes(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    running, peak, finished = context.Value("i", 0), context.Value("i", 0), context.Value("i", 0)
    lock, release = context.Lock(), context.Event()
    workers = [
        context.Process(target=_run_in_a_room_process, args=(str(tmp_path), running, peak, lock, release, finished))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 120
    while running.value < 2 and time.monotonic() < deadline:  # six runs asked for, two slots
        time.sleep(0.01)
    assert running.value == 2
    release.set()
    for worker in workers:
        worker.join(120)
    assert finished.value == 6 and peak.value == 2


def test_a_dead_processs_slot_is_free_again(tmp_path, monkeypatch):
    from idemlab.room_slots import Slots

    monkeypatch.setenv("IDEMLAB_ROOM_DIR", str(tmp_path))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time;from idemlab.room_slots import Slots;"
            "s=Slots('x',lambda:1);assert s.take(5);print('held',flush=True);time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        slots = Slots("x", lambda: 1)
        assert slots.in_use() == 1 and not slots.try_take()
    finally:
        holder.kill()
        holder.wait()
    assert slots.take(30) and slots.in_use() == 1
    slots.give_back()
    assert slots.in_use() == 0


def test_the_rooms_processes_start_one_recorded_shared_broker(monkeypatch, tmp_path):
    pytest.importorskip("confluent_kafka")
    from idemlab.kafka import clusters, launcher
    from idemlab.kafka.jars import KafkaSetupError

    monkeypatch.setenv("IDEMLAB_CACHE", str(tmp_path))
    monkeypatch.setenv(clusters.SHARED_BROKER_ENV, "host")
    node = type("Node", (), {"alive": True})()
    broker = type("Cluster", (), {"nodes": {1: node}})()
    started: list[bool] = []

    def start(brokers, broker_config, owned):
        started.append(owned)
        return broker

    def attach():
        if not started:
            raise KafkaSetupError("nothing recorded")
        return broker

    monkeypatch.setattr(launcher.LocalCluster, "start", staticmethod(start))
    monkeypatch.setattr(launcher.LocalCluster, "attach", staticmethod(attach))
    got: list = []
    askers = [threading.Thread(target=lambda: got.append(clusters.SharedLocalCluster().get())) for _ in range(6)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join(30)
    assert started == [False] and got == [broker] * 6  # one broker, detached (recorded for `broker status`)
