"""Runs a Scenario on the simulated cluster and producer, step by step, into a Trace."""

from __future__ import annotations

from collections import Counter

from idemlab.gc_pause import cyclic_gc_paused
from idemlab.model import (
    BROKER_ACTION,
    EVENT_KINDS,
    FATAL_ERROR,
    FLUSH,
    PRODUCER_EXPIRED,
    PRODUCER_RESTART,
    PRODUCER_STATE,
    RUN_ERROR,
    WAIT,
    Detail,
    Event,
    Scenario,
    Step,
    Trace,
)
from idemlab.producer_config import ConfigError, ProducerSettings, resolve
from idemlab.sim.clock import Scheduler, WorkLimitReached
from idemlab.sim.cluster import SimCluster
from idemlab.sim.producer import SimProducer
from idemlab.sim.wire import Wire

TOPIC = "lab"
FLUSH_SLACK_MS = 60_000
SETTLE_MS = 5  # requests already on the wire (acks=0) reach the broker before the log is read
BACKEND = "sim"
# The bound on one run's work: a fixed allowance plus a per-message one, so the largest
# documented scenario (2,000,000 messages) runs whole while a fault that makes every
# attempt fail (probability 1, a timeout of days) stops in well under a second.
BASE_ACTIONS = 20_000
ACTIONS_PER_MESSAGE = 20
BASE_EVENTS = 20_000
EVENTS_PER_MESSAGE = 12


_new_event = tuple.__new__  # Event(...) without its Python-level __new__: a tuple's own constructor


def work_limits(scenario: Scenario) -> tuple[int, int]:
    """(max scheduled actions, max events) for one run of the scenario."""
    messages = sum(len(step.values) for step in scenario.steps)
    return BASE_ACTIONS + ACTIONS_PER_MESSAGE * messages, BASE_EVENTS + EVENTS_PER_MESSAGE * messages


def client_model(scenario: Scenario) -> tuple[ProducerSettings, type[SimProducer]]:
    """The producer client's effective settings and its model: librdkafka's, or the Java
    client's (idemlab.sim.java_producer); ConfigError with that client's message."""
    if scenario.client == "java":
        from idemlab.sim import java_producer

        return java_producer.settings(scenario.producer), java_producer.JavaSimProducer
    return resolve(scenario.producer), SimProducer


class Simulation:
    def __init__(self, scenario: Scenario, record_messages: bool = True) -> None:
        self.scenario = scenario
        # Bulk runs (benchmarks) may skip the two per-message events and keep counts.
        self.record_messages = record_messages
        self.message_counts: Counter[str] = Counter()
        self.settings, self.producer_class = client_model(scenario)
        max_actions, self.max_events = work_limits(scenario)
        self.scheduler = Scheduler(max_actions)
        self.events: list[Event] = []
        self.scheduler.watch(self.events, self.max_events)
        self.cluster = SimCluster(
            scenario.brokers,
            scenario.partitions,
            scenario.replication_factor,
            dict(scenario.topic),
            dict(scenario.broker_config),
        )
        self.wire = Wire(self, scenario.faults)
        self.producer = self.producer_class(self, self.settings, scenario.partitions, TOPIC)
        self.fatal_error: str | None = None
        self.run_error: str | None = None
        self._next_msg = 1
        self.scheduler.after(self.cluster.expiration_check_ms, self._expiration_check)

    @property
    def now(self) -> float:
        return self.scheduler.now

    def tally(self, kind: str, error: str | None = None) -> None:
        self.message_counts[kind if error is None else f"{kind}:{error}"] += 1

    def emit_detail(self, detail: Detail) -> None:
        """emit() of a detail already built: the per-message hot path."""
        self.events.append(_new_event(Event, (self.scheduler.now, detail.KIND, detail)))

    def emit(self, kind: str, **detail) -> None:
        self.events.append(Event(self.scheduler.now, kind, EVENT_KINDS[kind](**detail)))
        if kind == FATAL_ERROR and self.fatal_error is None:
            self.fatal_error = f"{detail['error']}: {detail['message']}"

    # ---- steps --------------------------------------------------------------------
    def apply(self, step: Step) -> None:
        handler = getattr(self, f"_step_{step.kind}")
        handler(step)

    def _step_send(self, step: Step) -> None:
        self.producer.produce(self._next_msg, step.values, step.key, step.partition, step.pad_to)
        self._next_msg += len(step.values)

    def _step_flush(self, step: Step | None = None) -> None:
        self.emit(FLUSH)
        self.flush()

    def flush(self) -> bool:
        producer = self.producer
        producer.flushing = True
        producer.wake()
        limit = self.now + self.settings.message_timeout_ms + FLUSH_SLACK_MS
        done = self.scheduler.run_until(lambda: producer.idle, limit)
        producer.flushing = False
        if not done and self.run_error is None:
            self.run_error = (
                f"flush() returned with {producer.outstanding} message(s) still outstanding "
                f"after {self.settings.message_timeout_ms + FLUSH_SLACK_MS} ms"
            )
            self.emit(RUN_ERROR, message=self.run_error)
        return done

    def _step_wait(self, step: Step) -> None:
        self.emit(WAIT, wait_ms=step.wait_ms)
        self.scheduler.advance_to(self.now + step.wait_ms)

    def _step_restart_producer(self, step: Step) -> None:
        self.flush()
        old = self.producer
        old.close()
        self.emit(PRODUCER_RESTART, old_producer_id=old.producer_id)
        self.producer = self.producer_class(self, self.settings, self.scenario.partitions, TOPIC)

    def _step_broker(self, step: Step) -> None:
        broker_ids = [step.broker_id] if step.broker_id else self._default_targets(step.broker)
        for broker_id in broker_ids:
            self.emit(BROKER_ACTION, action=step.broker, broker_id=broker_id)
            if step.broker in ("stop", "kill"):
                self.cluster.stop(broker_id)
                self.wire.broker_down(
                    broker_id, f"broker {broker_id} {'stopped' if step.broker == 'stop' else 'killed'}"
                )
            elif step.broker == "start":
                self.cluster.start(broker_id)
                self._expire_on_load()
            else:
                for p in range(self.scenario.partitions):
                    old = self.cluster.leader_of(p)
                    self.cluster.change_leader(p)
                    if old is not None and old != self.cluster.leader_of(p):
                        self.wire.broker_down(old, f"partition {p} moved away from broker {old}")
            self._emit_producer_state(f"broker {broker_id}: {step.broker}")
        self.producer.wake()

    def _emit_producer_state(self, reason: str) -> None:
        for partition in range(self.scenario.partitions):
            producers = [
                {"producer_id": pid, "producer_epoch": entry.epoch, "remembered": entry.remembered()}
                for pid, entry in sorted(self.cluster.producer_state(partition).items())
            ]
            self.emit(PRODUCER_STATE, partition=partition, producers=producers, reason=reason, source=BACKEND)

    def _default_targets(self, action: str) -> list[int]:
        if action == "start":
            return [b for b, broker in sorted(self.cluster.brokers.items()) if not broker.up]
        if action == "leader_change":
            return [self.cluster.leader_of(0) or 1]
        leader = self.cluster.leader_of(0)
        return [leader] if leader else []

    # ---- broker housekeeping ------------------------------------------------------
    def _expiration_check(self) -> None:
        self._expire_on_load()
        self.scheduler.after(self.cluster.expiration_check_ms, self._expiration_check)

    def _expire_on_load(self) -> None:
        for partition, pid in sorted(set(self.cluster.expire_producers(self.now))):
            self.emit(PRODUCER_EXPIRED, partition=partition, producer_id=pid)


def run(scenario: Scenario, record_messages: bool = True) -> Trace:
    """Run a scenario on the simulator.  Same scenario, same trace, always.

    record_messages=False leaves the per-message produce and delivery events out of the
    trace (their counts are in Trace.message_counts): for very large runs only."""
    with cyclic_gc_paused():
        return _run(scenario, record_messages)


def _run(scenario: Scenario, record_messages: bool) -> Trace:
    try:
        sim = Simulation(scenario, record_messages)
    except ConfigError as exc:
        return Trace(scenario.name, BACKEND, dict(scenario.producer), run_error=str(exc))
    try:
        for step in scenario.steps:
            sim.apply(step)
        sim.emit(FLUSH, final=True)
        sim.flush()
        sim.scheduler.advance_to(sim.now + SETTLE_MS)
    except WorkLimitReached as exc:
        sim.run_error = (
            f"The simulation stopped after {exc} (the limit for a run of this size) at "
            f"{sim.now / 1000:,.1f} s of simulated time; the trace shows the run up to that point. "
            "A fault that hits every request with a long message.timeout.ms retries for a very long time."
        )
        del sim.events[sim.max_events :]
        sim.emit(RUN_ERROR, message=sim.run_error)
    # The trace gets a list of its own: the simulation's objects refer to each other, so its
    # list would keep every event alive until the cyclic collector ran (a scan of them all).
    events = sim.events.copy()
    sim.events.clear()
    return Trace(
        scenario=scenario.name,
        backend=BACKEND,
        config=sim.settings.as_config(),
        events=events,
        stored=sim.cluster.stored() if record_messages else sim.cluster.stored_view(),
        fatal_error=sim.fatal_error,
        run_error=sim.run_error,
        message_counts=dict(sim.message_counts) or None,
    )
