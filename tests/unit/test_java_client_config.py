"""What the Java producer of a real run is given: the cluster's client settings under the
scenario's producer config (idemlab.kafka.java_runner.JavaRun.java_props)."""

from __future__ import annotations

from idemlab import scenarios
from idemlab.kafka.java_runner import JavaRun


def props(client_config, **producer):
    scenario = scenarios.apply_overrides(scenarios.load("lost-ack"), [("client", "java"), *producer.items()])
    return JavaRun(scenario, "local", None, client_config).java_props("127.0.0.1:9999")


def test_the_clusters_client_settings_are_handed_to_the_java_producer():
    given = props({"client.id": "lab-client", "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN"})
    assert given["client.id"] == "lab-client"
    assert given["security.protocol"] == "SASL_PLAINTEXT" and given["sasl.mechanism"] == "PLAIN"


def test_the_scenarios_producer_config_and_the_proxy_address_win_over_the_clusters():
    given = props({"linger.ms": 50, "bootstrap.servers": "elsewhere:9092"}, **{"linger.ms": 0})
    assert given["linger.ms"] == 0 and given["bootstrap.servers"] == "127.0.0.1:9999"


def test_librdkafka_only_keys_are_passed_for_the_java_client_to_ignore_but_callbacks_are_not():
    given = props({"socket.keepalive.enable": True, "error_cb": print})
    assert given["socket.keepalive.enable"] is True
    assert "error_cb" not in given
