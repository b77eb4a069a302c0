"""One scenario format, two back ends, one trace: pick the back end by name.

- "sim": the embedded simulator (default; instant, no set-up);
- "local": a real Apache Kafka the project starts on this machine;
- "kafka://HOST:PORT[,HOST:PORT]": an existing cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from idemlab.clients import JAVA
from idemlab.errors import BackendUnavailable
from idemlab.model import Event, Scenario, Trace

SIM = "sim"
LOCAL = "local"
KAFKA_PREFIX = "kafka://"

__all__ = [
    "KAFKA_PREFIX",
    "LOCAL",
    "SIM",
    "BackendUnavailable",
    "check_name",
    "local_bootstrap",
    "measure_cost",
    "recorded_cost",
    "run",
    "status",
]


def check_name(backend: str) -> str:
    if backend in (SIM, LOCAL):
        return backend
    if backend.startswith(KAFKA_PREFIX):
        address = backend[len(KAFKA_PREFIX) :]
        hosts = [h for h in address.split(",") if h]
        if hosts and all(_host_port_ok(h) for h in hosts):
            return backend
        raise ValueError(f"--backend {backend}: expected kafka://HOST:PORT[,HOST:PORT...] with a numeric port")
    raise ValueError(f"--backend {backend}: choose sim, local or kafka://HOST:PORT")


def _host_port_ok(host_port: str) -> bool:
    host, _, port = host_port.rpartition(":")
    return bool(host) and port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) < 65536


def run(
    scenario: Scenario,
    backend: str = SIM,
    *,
    on_event: Callable[[Event], None] | None = None,
    client_config: Mapping[str, Any] | None = None,
    per_message_events: bool = True,
) -> Trace:
    """`per_message_events=False` (the simulator only) leaves each produce() call and
    delivery report out of the trace and counts them instead: for very large runs."""
    backend = check_name(backend)
    if backend == SIM:
        from idemlab.sim import run as run_sim

        trace = run_sim(scenario, record_messages=per_message_events)
        if on_event:
            for event in trace.events:
                on_event(event)
        return trace
    try:
        if scenario.client == JAVA:  # Apache Kafka's own Java producer, in a JVM
            from idemlab.kafka.java_runner import run_java_on_kafka as run_on_kafka
        else:
            from idemlab.kafka.runner import run_on_kafka
    except ImportError as exc:  # pragma: no cover - only without the kafka extras
        raise BackendUnavailable(f"The real-broker back end is not installed here ({exc}).") from None
    return run_on_kafka(scenario, backend, on_event=on_event, client_config=client_config)


def status(backend: str) -> tuple[str, str]:
    """("ready" | "starting" | "unavailable", text a learner can read)."""
    if backend == SIM:
        return "ready", "Simulated broker: ready (runs in this app, no set-up)."
    try:
        from idemlab.kafka.runner import backend_status
    except ImportError as exc:  # pragma: no cover
        return "unavailable", f"The real-broker back end is not installed here ({exc})."
    return backend_status(backend)


def local_bootstrap() -> str | None:
    """Where the shared local broker listens, if this process has started it."""
    try:
        from idemlab.kafka.clusters import SHARED
    except ImportError:  # pragma: no cover - only without the kafka extras
        return None
    cluster = SHARED.peek()
    return cluster.bootstrap if cluster is not None else None


def recorded_cost() -> dict[str, Any]:
    """What idempotence cost when the README's benchmark last ran ({} if unknown)."""
    try:
        from idemlab.kafka.cost import MEASURED
    except ImportError:  # pragma: no cover - only without the kafka extras
        return {}
    return dict(MEASURED)


def measure_cost(backend: str, messages: int, size: int) -> dict[str, Any]:
    """Produce throughput with idempotence off and on, measured now on a real back end
    (the shared local broker is started when needed)."""
    backend = check_name(backend)
    if backend == SIM:
        raise BackendUnavailable("The cost of idempotence is measured on a real broker, not the simulator.")
    try:
        from idemlab.kafka import cost
        from idemlab.kafka.clusters import SHARED
    except ImportError as exc:  # pragma: no cover
        raise BackendUnavailable(f"The real-broker back end is not installed here ({exc}).") from None
    bootstrap = SHARED.get().bootstrap if backend == LOCAL else backend.removeprefix(KAFKA_PREFIX)
    return cost.compare(bootstrap, messages=messages, size=size)
