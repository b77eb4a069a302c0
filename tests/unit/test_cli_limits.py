"""Command-line limits and honesty (issue 11, list 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from idemlab import scenarios
from idemlab.__main__ import main, terminal
from idemlab.model import Trace
from idemlab.outcome import summarize

ROOT = Path(__file__).resolve().parents[2]


from tests.cli import run_cli as cli  # noqa: E402 - the one CLI helper (tests/cli.py)


@pytest.mark.parametrize("key", ["fault.0.nth=5", "fault.3.nth=1", "fault.99.nth=1", "fault.100000000.nth=1"])
def test_fault_n_outside_one_to_faults_plus_one_is_refused_in_one_line(key, capsys):
    assert main(["run", "lost-ack", "--set", key]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "N must be from 1 to 2" in err


def test_fault_n_plus_one_adds_a_fault():
    s = scenarios.apply_overrides(scenarios.load("lost-ack"), [("fault.2.nth", 4)])
    assert len(s.faults) == 2 and s.faults[1].nth == 4


def test_deep_toml_is_refused_in_one_line(tmp_path, capsys):
    deep = tmp_path / "deep.toml"
    deep.write_text('title = "x"\nv = ' + "[" * 5000 + "]" * 5000 + "\n")
    assert main(["run", str(deep)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nested too deeply" in err
    assert main(["run", "lost-ack", "--set", "nth=" + "[" * 3000 + "]" * 3000]) == 2
    assert "nested too deeply" in capsys.readouterr().err


def test_huge_toml_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(scenarios, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.toml"
    big.write_text('title = "x"\n[[step]]\nsend = [' + ",".join(['"m"'] * 500) + "]\n")
    assert main(["run", str(big)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "at most 1,000" in err


def test_control_characters_are_escaped_in_terminal_output(tmp_path):
    hostile = tmp_path / "ctl.toml"
    hostile.write_text('title = "t\\u001b]0;pwned\\u0007"\n[[step]]\nsend = ["a\\u001b[2J", "b\\u202e"]\n')
    done = cli("run", str(hostile))
    assert done.returncode == 0
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout and "\\x1b[2J" in done.stdout
    assert terminal("ok\n\ttab\x9b") == "ok\n\ttab\\x9b"


def test_debug_on_the_simulator_is_ignored_with_a_notice():
    done = cli("run", "lost-ack", "--set", "debug=all")
    assert done.returncode == 0
    assert "debug is librdkafka's own logging" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1  # no librdkafka debug lines


def test_librdkafka_log_lines_go_to_a_silent_logger_unless_asked():
    pytest.importorskip("confluent_kafka")
    from idemlab.kafka import runner

    run = runner.RealRun(scenarios.load("lost-ack"), "local", None, None)
    config = run._producer_config("127.0.0.1:1")
    assert config["logger"] is runner.CLIENT_LOG and runner.CLIENT_LOG.propagate is False
    terminals = (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
    assert not [h for h in runner.CLIENT_LOG.handlers if getattr(h, "stream", None) in terminals]


def test_an_unread_stored_log_is_unknown_not_lost():
    from idemlab.sim import run as simulate

    trace = simulate(scenarios.load("happy-path"))
    unknown = Trace(trace.scenario, "local", trace.config, trace.events, [], run_error="x", stored_known=False)
    outcome = summarize(unknown)
    assert outcome.lost == 0 and outcome.lost_msgs == () and outcome.delivered_ok == len(trace.deliveries)
    assert "stored log unknown" in outcome.sentence() and "lost" not in outcome.sentence().split(".")[0]


def test_maven_gets_a_short_timeout_and_says_what_it_does(tmp_path, monkeypatch, capsys):
    from idemlab.kafka import jars

    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "mvn").write_text("#!/bin/sh\nsleep 30\n")
    (fake / "mvn").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("IDEMLAB_MAVEN_TIMEOUT_S", "1")
    with pytest.raises(jars.KafkaSetupError, match="within 1 s"):
        jars._maven_copy_dependencies("4.4.0", tmp_path / "libs")
    assert "Downloading Apache Kafka 4.4.0's jars with Maven" in capsys.readouterr().err


def test_folders_of_killed_broker_owners_are_removed(tmp_path):
    pytest.importorskip("confluent_kafka")
    from idemlab.kafka import launcher

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f"{launcher.FOLDER_PREFIX}orphan"
    (orphan / "data").mkdir(parents=True)
    (orphan / launcher.OWNER_FILE).write_text(f"{dead.pid} 1")
    alive = tmp_path / f"{launcher.FOLDER_PREFIX}alive"
    alive.mkdir()
    (alive / launcher.OWNER_FILE).write_text(launcher._process_identity(os.getpid()))
    unowned = tmp_path / f"{launcher.FOLDER_PREFIX}detached"  # a `broker start` cluster: no owner file
    unowned.mkdir()
    assert launcher.remove_orphaned_folders(tmp_path) == [orphan]
    assert not orphan.exists() and alive.exists() and unowned.exists()


def test_the_page_icon_is_bundled_not_from_a_cdn():
    source = (ROOT / "app.py").read_text()
    assert ":material/mail:" not in source and "page_icon=PAGE_ICON" in source
    assert (ROOT / ".streamlit" / "page_icon.png").stat().st_size > 100


def test_an_overlong_number_names_its_key(capsys):
    assert main(["run", "lost-ack", "--set", "linger.ms=" + "9" * 5000]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "linger.ms" in err and "4300" not in err


def test_an_overlong_number_in_a_file_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "big.toml"
    path.write_text(f'title = "x"\n[producer]\n"linger.ms" = {"9" * 5000}\n[[step]]\nsend = ["a"]\n')
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err


def test_a_broker_that_dies_during_repeated_runs_is_one_line_and_exit_2(monkeypatch, capsys):
    from idemlab import backends

    calls, simulate = [], backends.run

    def dying(scenario, backend, **_options):
        calls.append(backend)
        if len(calls) > 3:
            raise TimeoutError("the broker did not answer within 30 s")
        return simulate(scenario, backends.SIM)

    monkeypatch.setattr("idemlab.__main__.backends.run", dying)
    assert main(["run", "lost-ack", "--backend", "local", "--repeat", "20"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broker stopped answering" in err and "3 of 20 runs" in err


def test_an_unreachable_cluster_is_one_line():
    pytest.importorskip("confluent_kafka")
    result = cli("run", "lost-ack", "--backend", "kafka://127.0.0.1:1")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Cannot reach" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "lost-ack", "--seed", "²"],
        ["run", "lost-ack", "--repeat", "9" * 5000],
        ["run", "lost-ack", "--backend", "kafka://host:²"],
        ["run", "lost-ack", "--backend", "kafka://host:" + "9" * 5000],
    ],
)
def test_numbers_in_options_are_ascii_digits_refused_in_words(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Exceeds the limit" not in err and "invalid literal" not in err
    assert err.strip().count("\n") <= 5  # argparse's usage and its one error line, or our one line
