"""The real-broker back end: a local KRaft cluster launcher, a kio-based fault proxy, and
a runner on confluent-kafka.  Reached from the rest of the lab only through idemlab.backends."""
