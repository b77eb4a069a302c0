"""The run as JSON: one document whether indented or compact, streamed or built, on a
terminal or a pipe (idemlab/json_output.py, `python -m idemlab run … --json`)."""

import io
import json
import os
import pty
import subprocess
import tty

import pytest

from idemlab import json_output, report, scenarios, sim
from idemlab.model import DELIVERY_REPORT, PRODUCE_CALLED, StoredRecord, Trace, event
from idemlab.sim.partition import LogColumns, StoredLog
from tests.cli import IDEMLAB, run_cli

COMPACT = (",", ":")


def written(trace, include_events=False, indent=None):
    out = io.StringIO()
    json_output.write(trace, out, include_events, indent)
    return out.getvalue()


def odd_trace():
    """Values the fast compact path must encode exactly as the json module does."""
    values = ["plain", 'quote " and \\ backslash', "tab\tnew\nline\x01", "café ☕", "𝄞", ""]
    stored = [
        StoredRecord(i % 2, i, v, None if i % 3 else f"k{v}", -1 if i == 4 else 7, 0, -1 if i == 4 else i, i + 1)
        for i, v in enumerate(values)
    ]
    events = [
        event(float(i), PRODUCE_CALLED, msg=i + 1, value=v, key=None, partition=i % 2) for i, v in enumerate(values)
    ]
    events += [
        event(10.0, DELIVERY_REPORT, msg=1, value=values[0], partition=0, offset=0, error=None),
        event(11.0, DELIVERY_REPORT, msg=2, value=values[1], partition=1, offset=None, error="MSG_TIMED_OUT"),
        event(12.0, DELIVERY_REPORT, msg=3, value=values[2], partition=None, offset=None, error='weird "error"'),
    ]  # messages 4-6 get no report: error "(no report)", offset null
    return Trace("odd", "sim", {"enable.idempotence": True, "acks": "all"}, events=events, stored=stored)


@pytest.mark.parametrize("name", ["lost-ack", "reorder", "broker-kill", "message-too-large"])
@pytest.mark.parametrize("include_events", [False, True])
def test_indented_and_compact_hold_the_same_document(name, include_events):
    trace = sim.run(scenarios.load(name))
    doc = json_output.document(trace, include_events)
    indented = written(trace, include_events, indent=2)
    compact = written(trace, include_events)
    assert json.loads(indented) == json.loads(compact) == json.loads(json.dumps(doc, default=str))
    # the indented text is exactly what the command printed before streaming
    assert indented == json.dumps(doc, indent=2, default=str)
    assert compact == json.dumps(doc, separators=COMPACT, default=str)
    assert "\n" not in compact
    assert ("events" in doc) == include_events


def test_the_fast_compact_path_writes_what_the_encoder_would():
    trace = odd_trace()
    doc = json_output.document(trace, include_events=True)
    assert [d["error"] for d in doc["deliveries"]] == [None, "MSG_TIMED_OUT", 'weird "error"', *["(no report)"] * 3]
    assert written(trace, True) == json.dumps(doc, separators=COMPACT, default=str)
    assert written(trace, True, indent=2) == json.dumps(doc, indent=2, default=str)
    # and the fast path itself, not its fallback, wrote those lists
    deliveries = trace.deliveries
    assert json_output._stored_compact(trace.stored) == json.dumps(doc["stored"], separators=COMPACT)[1:-1]
    assert json_output._delivery_compact(deliveries) == json.dumps(doc["deliveries"], separators=COMPACT)[1:-1]


def test_a_field_of_an_unexpected_type_goes_through_the_encoder():
    trace = odd_trace()
    trace.stored[1] = trace.stored[1]._replace(value=b"raw bytes", offset=1.5)
    doc = json_output.document(trace)
    assert written(trace) == json.dumps(doc, separators=COMPACT, default=str)
    assert json.loads(written(trace))["stored"][1]["value"] == "b'raw bytes'"


@pytest.mark.parametrize("chunk", [1, 2, 5, 1000])
def test_lists_longer_than_a_chunk_and_empty_lists(monkeypatch, chunk):
    monkeypatch.setattr(json_output, "CHUNK", chunk)
    trace = odd_trace()
    empty = Trace("empty", "sim", {}, run_error="nothing ran")
    for t in (trace, empty):
        doc = json_output.document(t, include_events=True)
        assert written(t, True) == json.dumps(doc, separators=COMPACT, default=str)
        assert written(t, True, indent=2) == json.dumps(doc, indent=2, default=str)
    assert json.loads(written(empty))["stored"] == []


def test_a_lazy_stored_log_is_read_as_it_is_written():
    records = odd_trace().stored
    columns = {0: LogColumns(), 1: LogColumns()}
    for r in records:
        log = columns[r.partition]
        log.values.append(r.value)
        log.keys.append(r.key)
        log.producer_ids.append(r.producer_id)
        log.epochs.append(r.producer_epoch)
        log.sequences.append(r.sequence)
        log.msgs.append(r.msg)
    lazy = StoredLog(sorted(columns.items()))
    as_list = Trace("odd", "sim", {}, stored=list(lazy))
    assert written(Trace("odd", "sim", {}, stored=lazy)) == written(as_list)


def test_report_keeps_its_dict_and_indented_text():
    trace = sim.run(scenarios.load("lost-ack"))
    assert report.to_dict(trace, True) == json_output.document(trace, True)
    assert report.to_json(trace) == json.dumps(report.to_dict(trace), indent=2, default=str)
    assert json.loads(report.to_json(trace, indent=None)) == report.to_dict(trace)


def run_cli_on_a_terminal(*args):
    """stdout is a pseudo-terminal (raw: no newline translation); stderr a pipe."""
    controller, terminal = pty.openpty()
    tty.setraw(terminal)
    proc = subprocess.Popen([*IDEMLAB, *args], stdout=terminal, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # EIO: the terminal's last writer has gone
            break
        if not data:
            break
        chunks.append(data)
    os.close(controller)
    stderr = proc.communicate(timeout=60)[1]
    return proc.returncode, b"".join(chunks).decode(), stderr.decode()


@pytest.mark.parametrize("extra", [[], ["--trace"]])
def test_cli_writes_compact_json_to_a_pipe_and_indented_json_to_a_terminal(extra):
    args = ["run", "lost-ack", "--json", *extra]
    piped = run_cli(*args)
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.endswith("}\n") and piped.stdout.count("\n") == 1  # one compact line
    code, shown, stderr = run_cli_on_a_terminal(*args)
    assert code == 0 and stderr == ""
    assert shown.startswith('{\n  "scenario": "lost-ack",\n') and shown.endswith("\n}\n")
    assert json.loads(shown) == json.loads(piped.stdout)
    data = json.loads(piped.stdout)
    assert data["duplicates"] == 1 and ("events" in data) == bool(extra)
    expected = report.to_dict(sim.run(scenarios.load("lost-ack")), include_events=bool(extra))
    assert data == json.loads(json.dumps(expected, default=str))


def test_cli_json_into_a_file(tmp_path):
    target = tmp_path / "run.json"
    with open(target, "w") as handle:
        result = run_cli("run", "lost-ack", "--json", "--trace", stdout=handle)
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(target.read_text())["events"][0]["kind"]
