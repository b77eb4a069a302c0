"""The simulated broker and producer: a pure, deterministic model of Kafka 4.x with
confluent-kafka (librdkafka)."""

from idemlab.sim.simulation import Simulation, run

__all__ = ["Simulation", "run"]
