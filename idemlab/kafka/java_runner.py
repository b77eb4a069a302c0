"""Run a scenario on a real broker with Apache Kafka's own Java producer.

Everything but the client is the confluent-kafka run's (runner.RealRun): the same fault
proxy reports the wire, the same read-back gives the stored log, the same Trace comes
out.  Only the producer differs: a JVM (java_client.JavaProducer) whose JSON lines give
the produce() calls, delivery reports and fatal errors, in the Java client's words.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from typing import Any

from idemlab import java_config
from idemlab.errors import BackendUnavailable
from idemlab.kafka import clusters
from idemlab.kafka.java_client import JavaClientError, JavaProducer, KafkaSetupError, prepare
from idemlab.kafka.runner import FLUSH_SLACK_S, PAD, POLL_S, RealRun
from idemlab.model import (
    DELIVERY_REPORT,
    FATAL_ERROR,
    PRODUCE_CALLED,
    PRODUCER_RESTART,
    Event,
    Scenario,
    Step,
    Trace,
)

CLIENT = "java"
SEND_SLACK_S = 30.0  # beyond max.block.ms per value, for a slow JVM
ABORT_WAIT_S = 15.0
CLOSE_TIMEOUT_S = 5


class _Aborter:
    """What RealRun calls on its producer when a run stops early (purge, flush(0))."""

    def __init__(self, java: JavaProducer) -> None:
        self.java = java

    def purge(self) -> None:
        with contextlib.suppress(JavaClientError):
            self.java.command("abort")

    def flush(self, timeout: float) -> None:
        pass


class JavaRun(RealRun):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.java: JavaProducer | None = None
        self.client_id: str | None = None  # the client.id the real producer ran with
        self._handle: _Aborter | None = None
        super().__init__(*args, **kwargs)

    # RealRun drops its producer (self.producer = None) once the run's last flush is done;
    # the Java one is closed then, before the log is read back.
    @property
    def producer(self) -> _Aborter | None:
        return self._handle

    @producer.setter
    def producer(self, value: _Aborter | None) -> None:
        if value is None and self._handle is not None and self.java is not None:
            with contextlib.suppress(JavaClientError, TimeoutError):
                self.java.request("close", timeout=CLOSE_TIMEOUT_S + 10, timeout_s=CLOSE_TIMEOUT_S)
        self._handle = value

    def effective_config(self) -> dict[str, Any]:
        return java_config.resolve(self.scenario.producer).as_config()

    # ---- the client ---------------------------------------------------------------
    def _new_producer(self, bootstrap: str) -> _Aborter:
        self.producer_id, self.epoch = -1, -1
        if self.java is None:
            level = "debug" if "debug" in self.scenario.producer else "warn"
            self.java = JavaProducer(self._on_java_event, log_level=level)
        refused = self.java.create(self.java_props(bootstrap))
        if refused:
            self._stop(refused)
        self.client_id = self.java.client_id
        return _Aborter(self.java)

    def java_props(self, bootstrap: str) -> dict[str, Any]:
        """What the KafkaProducer is given: the cluster's client settings (security, client.id,
        ...), the scenario's producer config over them, and the fault proxy's address.  Keys only
        librdkafka knows go too: the Java client ignores them ("supplied but unused"), as it
        would in an application; values that are not plain settings (callbacks) stay behind."""
        cluster = {k: v for k, v in self.client_config.items() if isinstance(v, str | int | float | bool)}
        return {**cluster, **dict(self.scenario.producer), "bootstrap.servers": bootstrap}

    def _on_java_event(self, event: dict[str, Any]) -> None:
        kind, msg = event.get("ev"), event.get("msg")
        if kind == "refused":
            # send() threw: the application sees the exception where it called send().
            self.outstanding -= 1
            self.emit(
                DELIVERY_REPORT,
                msg=msg,
                value=self.values.get(msg),
                partition=None,
                offset=None,
                error=event.get("error"),
                message=event.get("message"),
            )
        elif kind == "delivery":
            self.outstanding -= 1
            self.emit(
                DELIVERY_REPORT,
                msg=msg,
                value=self.values.get(msg),
                partition=event.get("partition"),
                offset=event.get("offset"),
                error=event.get("error"),
                message=event.get("message") if event.get("error") else None,
            )
        elif kind == "fatal" and self.fatal_error is None:
            self.fatal_error = f"{event.get('error')}: {event.get('message')}"
            self.emit(FATAL_ERROR, error=event.get("error"), message=event.get("message"))

    # ---- steps --------------------------------------------------------------------
    def send(self, step: Step) -> None:
        """Each send() call is in the trace before the command leaves, so it comes before
        the requests that carry it (the JVM's sender thread may send at once)."""
        first = self._next_msg
        self._next_msg += len(step.values)
        partition = step.partition if step.partition is not None else (0 if self.scenario.partitions == 1 else -1)
        wire_values = []
        for msg, value in enumerate(step.values, first):
            self.values[msg] = value
            self.outstanding += 1
            self.emit(PRODUCE_CALLED, msg=msg, value=value, key=step.key, partition=partition)
            wire_values.append(value + PAD * max(0, (step.pad_to or 0) - len(value.encode())))
        # Each send() may block up to max.block.ms for the topic's metadata (no broker reachable).
        max_block_s = java_config.resolve(self.scenario.producer).max_block_ms / 1000
        self._call(
            "send",
            SEND_SLACK_S + max_block_s * len(step.values),
            topic=self.topic,
            first_msg=first,
            values=wire_values,
            key=step.key,
            partition=step.partition,
        )

    def _call(self, op: str, timeout: float, **fields: Any) -> bool:
        """A command answered when done; the cluster is watched meanwhile.  False when the
        run stopped (the client is then aborted and its answer awaited)."""
        limit = time.monotonic() + timeout
        try:
            self.java.command(op, **fields)
        except JavaClientError as exc:
            self._stop(str(exc))
            return False
        while True:
            try:
                self.java.reply(POLL_S)
                return True
            except TimeoutError:
                pass
            except JavaClientError as exc:
                self._stop(str(exc))
                return False
            self._check_cluster()
            if not self.run_error and time.monotonic() > limit:
                self._stop(f"{op}() did not finish within {timeout:.0f} s")
            if self.run_error:
                self._handle.purge()
                with contextlib.suppress(TimeoutError, JavaClientError):
                    self.java.reply(ABORT_WAIT_S)
                return False

    def _poll(self, timeout: float) -> None:
        time.sleep(timeout)  # the JVM's own threads deliver the events meanwhile

    def flush(self) -> None:
        if self.java is None or self.run_error:
            return
        timeout = java_config.resolve(self.scenario.producer).delivery_timeout_ms / 1000 + FLUSH_SLACK_S
        self._call("flush", timeout)

    def restart_producer(self, bootstrap: str) -> None:
        self.flush()
        if self.run_error:
            return
        old = self.producer_id
        self.producer = None  # closes the Java producer; its producer id is gone for good
        self.emit(PRODUCER_RESTART, old_producer_id=old)
        self.producer = self._new_producer(bootstrap)

    def run(self) -> Trace:
        try:
            return super().run()
        finally:
            if self.java is not None:
                self.java.stop()


def run_java_on_kafka(
    scenario: Scenario,
    backend: str,
    *,
    on_event: Callable[[Event], None] | None = None,
    client_config: Mapping[str, Any] | None = None,
) -> Trace:
    """The scenario on a real back end with the Java client; BackendUnavailable in one
    line when Java, the JDK or the client's jars cannot be had."""
    try:
        prepare()
        return JavaRun(scenario, backend, on_event, client_config).run()
    except KafkaSetupError as exc:
        raise BackendUnavailable(str(exc)) from None
    except clusters.ClusterUnavailable as exc:
        raise BackendUnavailable(str(exc)) from None


__all__ = ["CLIENT", "JavaRun", "run_java_on_kafka"]
