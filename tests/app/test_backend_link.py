"""The chosen back end is in the URL, held to what the operator offers: a link names a
listed cluster by its listed name, never a host."""

from ui.widgets.backend_picker import from_link, to_link

OFFERED = ["sim", "local", "cluster"]
CLUSTERS = {"Team cluster": "kafka1:9092,kafka2:9092", "Old": "kafka9:9092"}


def test_a_link_picks_local_or_a_listed_cluster_by_its_name():
    assert from_link({"backend": "local"}, OFFERED, CLUSTERS) == ("Local Kafka", None)
    assert from_link({"backend": "cluster", "cluster": "Old"}, OFFERED, CLUSTERS) == ("Existing cluster", "Old")


def test_a_host_an_unknown_name_or_a_back_end_not_on_offer_falls_back_to_the_simulator():
    assert from_link({"backend": "cluster", "cluster": "kafka1:9092"}, OFFERED, CLUSTERS) == ("Simulated", None)
    assert from_link({"backend": "cluster", "cluster": "evil.example:9092"}, OFFERED, CLUSTERS)[0] == "Simulated"
    assert from_link({"backend": "kafka://evil.example:9092"}, OFFERED, CLUSTERS)[0] == "Simulated"
    assert from_link({"backend": "local"}, ["sim"], {})[0] == "Simulated"
    assert from_link({"backend": "<script>"}, OFFERED, CLUSTERS)[0] == "Simulated"


def test_the_url_values_read_back_as_the_same_choice():
    for choice, cluster in (("Simulated", None), ("Local Kafka", None), ("Existing cluster", "Team cluster")):
        assert from_link(to_link(choice, cluster), OFFERED, CLUSTERS) == (choice, cluster)
    assert to_link("Simulated", None) == {}


def test_a_refresh_keeps_the_local_back_end(open_page):
    at = open_page("pages/home.py", backend="local")
    assert at.radio(key="backend.choice").value == "Local Kafka"
    assert at.query_params["backend"] in ("local", ["local"])


def test_a_link_to_a_listed_cluster_runs_there_and_a_typed_host_does_not(open_page, monkeypatch):
    monkeypatch.setenv("IDEMLAB_CLUSTERS", "Team cluster=kafka1:9092")
    at = open_page("pages/home.py", backend="cluster", cluster="Team cluster")
    assert at.radio(key="backend.choice").value == "Existing cluster"
    at = open_page("pages/home.py", backend="cluster", cluster="evil.example:9092")
    assert at.radio(key="backend.choice").value == "Simulated"
    assert "cluster" not in at.query_params and "backend" not in at.query_params


def test_the_playground_offers_the_broker_choice_above_its_run(open_page):
    at = open_page("pages/playground.py", scenario="lost-ack")
    picker = at.button_group(key="pg.backend")
    picker.set_value("Local Kafka").run()
    assert at.radio(key="backend.choice").value == "Local Kafka"
    assert any(b.label == "Run on Local Kafka" for b in at.button)  # a real run waits for one click
