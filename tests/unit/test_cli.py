"""`python -m idemlab run`: the JSON shape, the readable account, exit codes."""

import gc
import json

import pytest

from idemlab.__main__ import main
from tests.cli import run_cli as cli


def test_json_output_has_the_documented_fields():
    result = cli("run", "lost-ack", "--json", "--trace")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in [
        "scenario",
        "backend",
        "config",
        "stored",
        "deliveries",
        "duplicates",
        "lost",
        "reordered",
        "fatal_error",
        "events",
    ]:
        assert key in data
    assert set(data["stored"][0]) == {
        "partition",
        "offset",
        "key",
        "value",
        "producer_id",
        "producer_epoch",
        "sequence",
    }
    assert set(data["deliveries"][0]) == {"value", "partition", "error", "offset"}
    assert data["duplicates"] == 1 and data["backend"] == "sim"


def test_set_switches_idempotence_on_and_removes_the_duplicate():
    data = json.loads(cli("run", "lost-ack", "--json", "--set", "enable.idempotence=true").stdout)
    assert data["duplicates"] == 0
    assert [r["sequence"] for r in data["stored"]] == [0, 1, 2]
    assert "events" not in data


def test_readable_account_tells_the_story():
    result = cli("run", "lost-ack")
    assert result.returncode == 0
    assert "fault: drop_response on produce #2" in result.stdout
    assert "Outcome: 3 produced, 3 acknowledged, 4 stored, 1 duplicate" in result.stdout


def test_a_path_to_a_scenario_file_works(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('title = "mine"\n[[step]]\nsend = ["x"]\n')
    data = json.loads(cli("run", str(path), "--json").stdout)
    assert [r["value"] for r in data["stored"]] == ["x"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["run", "no-such-scenario"], "no such scenario"),
        (
            ["run", "lost-ack", "--set", "enable.idempotence=true", "--set", "acks=1"],
            "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true",
        ),
        (["run", "lost-ack", "--set", "nth=zero"], "fault[1].nth: must be a whole number"),
        (["run", "lost-ack", "--backend", "kafka://nowhere"], "expected kafka://HOST:PORT"),
        (
            ["run", "lost-ack", "--set", "linger.ms=soon"],
            'Invalid value for configuration property "queue.buffering.max.ms"',
        ),
        (["run"], "usage"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message_and_no_traceback(args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_scenario_file_names_file_and_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('title = "x"\n[[fault]]\nnth = 1\naction = "drop_everything"\n')
    result = cli("run", str(path))
    assert result.returncode == 2
    assert f"{path}: fault[1].action: must be one of" in result.stderr


def test_seed_makes_random_faults_repeatable(tmp_path):
    path = tmp_path / "random.toml"
    path.write_text(
        'title = "r"\n[producer]\n"batch.num.messages" = 1\n[[step]]\nsend = ["a","b","c","d","e","f"]\n'
        '[[fault]]\nprobability = 0.5\naction = "drop_response"\n'
    )
    first = cli("run", str(path), "--json", "--seed", "3").stdout
    assert first == cli("run", str(path), "--json", "--seed", "3").stdout


def test_a_tls_cluster_is_refused_with_the_reason(tmp_path):
    config = tmp_path / "client.properties"
    config.write_text("# from the cluster admin\nsecurity.protocol=SSL\nssl.ca.location=/nowhere\n")
    result = cli("run", "lost-ack", "--backend", "kafka://127.0.0.1:9", "--client-config", str(config))
    assert result.returncode == 2
    assert "security.protocol=SSL" in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_client_config_file_names_the_line(tmp_path):
    config = tmp_path / "client.properties"
    config.write_text("security.protocol\n")
    result = cli("run", "lost-ack", "--backend", "kafka://127.0.0.1:9", "--client-config", str(config))
    assert result.returncode == 2
    assert f"{config}:1: expected key=value" in result.stderr


def test_a_run_in_process_leaves_the_cyclic_collector_as_it_found_it(capsys):
    """The run and its document go under one pause of the collector (idemlab.gc_pause)."""
    assert gc.isenabled()
    assert main(["run", "lost-ack", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["duplicates"] == 1
    assert gc.isenabled()
