"""The command line.

    python -m idemlab run SCENARIO [--backend sim|local|kafka://HOST:PORT] [--client librdkafka|java]
                                   [--set key=value ...] [--seed N] [--json] [--trace]
                                   [--repeat N]
    python -m idemlab scenarios
    python -m idemlab broker start|stop|kill|status ...
    python -m idemlab serve [--workers N] [--port P]

Exit status: 0 for a run that happened (whatever its outcome), 2 for bad input or a
back end that cannot be used.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import signal
import sys

from idemlab import backends, clients, json_output, scenarios
from idemlab.gc_pause import cyclic_gc_paused

BAD_INPUT = 2
# Past this many messages a simulated run counts its per-message events instead of
# tracing them: 1,000,000 messages with --json then peak near 200 MB instead of 1.4 GB.
SUMMARISE_ABOVE = 200_000
# C0 and C1 control characters other than newline and tab, DEL, and Unicode's bidi and
# zero-width formatting: shown as \xNN / \uNNNN, never sent to the terminal raw.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def terminal(text: str) -> str:
    """Text from a scenario file or a run, safe to print to a terminal."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


def _whole(text: str) -> int:
    """An option's number: ASCII digits only, at most 10 (never int()'s own messages)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        raise argparse.ArgumentTypeError("expected a whole number of at most 10 digits")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m idemlab", description="Kafka Idempotence Lab")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a scenario and print what happened")
    run.add_argument("scenario", help="a name from lessons/scenarios or a path to a .toml file")
    run.add_argument("--backend", default=backends.SIM, help="sim (default), local, or kafka://HOST:PORT")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a producer property (enable.idempotence=false) or a scenario value (nth=3)",
    )
    run.add_argument(
        "--client",
        choices=clients.CLIENTS,
        help="the producer client: librdkafka (confluent-kafka, the default) or java (Apache Kafka's own); "
        "overrides the scenario's client",
    )
    run.add_argument("--seed", type=_whole, help="seed for random faults (same seed, same run)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--trace", action="store_true", help="include every event")
    run.add_argument(
        "--repeat",
        type=_whole,
        metavar="N",
        help="run it N times and print the distribution of outcomes (stored logs, duplicates, reorders)",
    )
    run.add_argument("--client-config", help="a file of client properties (key=value lines) for kafka:// back ends")
    run.add_argument(
        "--client-log",
        action="store_true",
        help="print librdkafka's own log lines (and --set debug=... output) to stderr on a real broker",
    )
    commands.add_parser("scenarios", help="list the scenarios")
    serve = commands.add_parser(
        "serve", help="serve the app to a room: N app processes behind HAProxy with sticky sessions"
    )
    serve.add_argument("--workers", type=_whole, default=None, help="app processes (default: one per core)")
    serve.add_argument("--port", type=_whole, default=8501, help="where HAProxy listens (default 8501)")
    serve.add_argument("--address", default="127.0.0.1", help="where HAProxy listens (default 127.0.0.1)")
    try:
        from idemlab.kafka.cli import add_broker_commands
    except ImportError:
        add_broker_commands = None
    if add_broker_commands:
        add_broker_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return BAD_INPUT if exc.code else 0
    if args.command == "scenarios":
        for name in scenarios.available():
            print(terminal(f"{name:28s} {scenarios.load(name).title}"))
        return 0
    if args.command == "serve":
        from idemlab.serve import serve

        return serve(args.workers, args.port, args.address)
    if args.command == "broker":
        from idemlab.kafka.cli import run_broker_command

        return run_broker_command(args)
    with cyclic_gc_paused():  # one pause for the run and its document; the trace is freed before it ends
        return _run(args)


def _fail(message: str) -> int:
    print(terminal(f"error: {message}"), file=sys.stderr)
    return BAD_INPUT


def _run(args: argparse.Namespace) -> int:
    try:
        scenario = scenarios.load(args.scenario)
        overrides = [scenarios.parse_override(text) for text in args.overrides]
        if args.seed is not None:
            overrides.append(("seed", args.seed))
            overrides += [
                (f"fault.{i}.seed", args.seed) for i, f in enumerate(scenario.faults, 1) if f.probability is not None
            ]
        if args.client:
            overrides.append(("client", args.client))
        if overrides:
            scenario = scenarios.apply_overrides(scenario, overrides)
        backend = backends.check_name(args.backend)
        client_config = _read_client_config(args.client_config) if args.client_config else None
    except (scenarios.ScenarioError, ValueError, OSError) as exc:
        return _fail(str(exc))
    if backend == backends.SIM and "debug" in scenario.producer:
        print(
            "note: debug is librdkafka's own logging; the simulated broker has no librdkafka, so it is ignored "
            "(on a real broker, add --client-log to see its lines)",
            file=sys.stderr,
        )
        producer = {k: v for k, v in scenario.producer.items() if k != "debug"}
        scenario = dataclasses.replace(scenario, producer=producer)
    if args.client_log:
        _show_client_log()
    config_error = clients.validate(scenario.client, scenario.producer)
    if config_error:
        return _fail(f"{scenario.source}: producer: {config_error}")
    if args.repeat is not None:
        return _repeat(scenario, backend, args, client_config)
    messages = sum(len(step.values) for step in scenario.steps)
    per_message = backend != backends.SIM or messages <= SUMMARISE_ABOVE
    if not per_message:
        print(
            f"note: {messages:,} messages: each produce() call and delivery report is counted rather than "
            f"kept in the trace above {SUMMARISE_ABOVE:,} messages (memory stays bounded); "
            "the stored log is complete",
            file=sys.stderr,
        )
    try:
        trace = _real_or_sim_run(scenario, backend, client_config=client_config, per_message_events=per_message)
    except backends.BackendUnavailable as exc:
        return _fail(str(exc))
    if args.json:
        _print_json(trace, include_events=args.trace)
    else:
        from idemlab import report  # imports pandas (0.3-0.6 s); the JSON path does without

        print(terminal(report.account(trace, with_events=True)))
    return 0


def _real_or_sim_run(scenario, backend: str, **options):
    """backends.run, with a real broker that fails during the run (killed, timed out,
    unreachable) reported as BackendUnavailable in one sentence, never a traceback."""
    try:
        return backends.run(scenario, backend, **options)
    except backends.BackendUnavailable:
        raise
    except Exception as exc:
        if backend == backends.SIM:
            raise
        said = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        cause = f"{type(exc).__name__}: {said}" if said else type(exc).__name__
        raise backends.BackendUnavailable(f"The broker stopped answering during the run ({cause}).") from None


def _show_client_log() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("librdkafka: %(message)s"))
    logging.getLogger("idemlab.librdkafka").addHandler(handler)
    logging.getLogger("idemlab.librdkafka").setLevel(logging.DEBUG)


def _print_json(trace, include_events: bool) -> None:
    """Indented for a person at a terminal, compact for a pipe or a file (the indenting
    encoder is pure Python, ten times slower); the same document either way, streamed
    rather than built (benchmarks/cli_json.py)."""
    out = sys.stdout
    json_output.write(trace, out, include_events, indent=2 if out.isatty() else None)
    out.write("\n")
    out.flush()


def _repeat(scenario, backend: str, args: argparse.Namespace, client_config) -> int:
    """--repeat N: the same scenario N times; how many distinct stored logs (idemlab.repeat)."""
    import json as json_module

    from idemlab import repeat

    if not 1 <= args.repeat <= repeat.MAX_RUNS:
        return _fail(f"--repeat {args.repeat}: choose 1 to {repeat.MAX_RUNS} runs")
    finished: list[int] = []
    try:
        dist = repeat.repeat(
            scenario,
            backend,
            args.repeat,
            run=lambda s, b: _real_or_sim_run(s, b, client_config=client_config),
            on_run=lambda i, _trace: finished.append(i),
        )
    except backends.BackendUnavailable as exc:
        return _fail(f"{exc} ({len(finished)} of {args.repeat} runs had finished)" if finished else str(exc))
    if args.json:
        print(json_module.dumps(repeat.to_dict(dist), indent=2, default=str))
    else:
        print(terminal(repeat.text(dist)))
    return 0


def _read_client_config(path: str) -> dict[str, str]:
    config = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise ValueError(f"{path}:{number}: expected key=value")
            key, value = line.split("=", 1)
            config[key.strip()] = value.strip()
    return config


def _exit_on_sigterm(signum, _frame) -> None:
    raise SystemExit(128 + signum)  # exit handlers run: an owned broker and its folder go too


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into `head`
        sys.exit(0)
