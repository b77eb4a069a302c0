"""Take-away code: the program in the run's own client holds exactly the run's producer
properties; the other client's program is its equivalent; values from a scenario stay
inside their literals; the Java program compiles against kafka-clients."""

from __future__ import annotations

import ast
import os
import re
import subprocess

import pytest

from idemlab import codegen, java_config, producer_config, scenarios
from idemlab.scenarios import from_dict

PUT = re.compile(r'^\s*props\.put\((?:ProducerConfig\.(\w+)|("(?:[^"\\]|\\.)*")), (.+?)\);', re.M)
FIXED = {"BOOTSTRAP_SERVERS_CONFIG", "KEY_SERIALIZER_CLASS_CONFIG", "VALUE_SERIALIZER_CLASS_CONFIG"}
CONSTANT_NAMES = {constant: name for name, constant in codegen.JAVA_CONSTANTS.items()}
HOSTILE = 'a"b\\c\nd\u000a\r\te\x01 \u00fc \u2028 \U0001f600 */ """ \\u000a'


def java_literal(text: str):
    """The value a Java literal of the generated code stands for."""
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    assert text.startswith('"') and text.endswith('"'), text
    decoded = text[1:-1].encode("ascii").decode("unicode_escape")
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16")


def java_props(code: str) -> dict[str, object]:
    props = {}
    for constant, quoted, value in PUT.findall(code):
        if constant in FIXED:
            continue
        props[CONSTANT_NAMES[constant] if constant else java_literal(quoted)] = java_literal(value)
    return props


def python_conf(code: str) -> dict[str, object]:
    start = code.index("conf = {")
    end = code.index("\n}\n", start) + 2
    conf = ast.literal_eval(code[start + len("conf = ") : end])
    conf.pop("bootstrap.servers")
    return conf


def java_run(producer: dict, **extra) -> scenarios.Scenario:
    return from_dict({"title": "T", "client": "java", "producer": producer, "step": [{"send": ["m1"]}], **extra})


def lesson_scenario(name: str, *overrides) -> scenarios.Scenario:
    return scenarios.apply_overrides(scenarios.load(name), list(overrides))


def same_text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


# ---- the run's own client -------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario",
    [
        lesson_scenario("seed-java"),
        lesson_scenario("seed-java-acks-1"),
        lesson_scenario("java-five-in-flight", ("max.in.flight.requests.per.connection", 1)),
        lesson_scenario("reorder-idempotent", ("client", "java")),
        java_run({name: default for name, default in java_config.DEFAULTS.items()}),
    ],
    ids=["seed-java", "seed-java-acks-1", "five-in-flight-1", "reorder-idempotent-java", "every-java-setting"],
)
def test_a_java_runs_java_program_holds_exactly_its_producer_properties(scenario):
    props = java_props(codegen.java_producer(scenario))
    assert {k: same_text(v) for k, v in props.items()} == {k: same_text(v) for k, v in scenario.producer.items()}
    assert "the producer this run used (kafka-clients)" in codegen.java_producer(scenario)


def test_a_librdkafka_runs_python_program_holds_exactly_its_producer_properties():
    scenario = lesson_scenario("reorder-one-in-flight")
    code = codegen.python_producer(scenario)
    assert python_conf(code) == dict(scenario.producer)
    assert "the producer this run used (confluent-kafka)" in code


# ---- the other client's equivalent -------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed-java", "seed-java-acks-1", "java-five-in-flight", "java-out-of-order"])
def test_a_java_runs_python_tab_is_the_librdkafka_equivalent_with_the_same_idempotence(name):
    scenario = lesson_scenario(name)
    code = codegen.python_producer(scenario)
    assert "the confluent-kafka (librdkafka) equivalent of this run's Java producer" in code
    compile(code, "producer.py", "exec")
    librdkafka = producer_config.resolve(python_conf(code))
    java = java_config.resolve(scenario.producer)
    assert (librdkafka.idempotent, librdkafka.acks) == (java.idempotent, java.acks)


def test_the_quiet_switch_off_is_written_out_in_the_librdkafka_equivalent():
    code = codegen.python_producer(lesson_scenario("seed-java-acks-1"))
    assert "'enable.idempotence': False,  # kafka-clients turned its default off" in code


def test_a_librdkafka_run_that_left_idempotence_unset_gets_it_off_in_java():
    scenario = from_dict({"title": "T", "producer": {"acks": "all"}, "step": [{"send": ["m1"]}]})
    code = codegen.java_producer(scenario)
    assert java_props(code) == {"acks": "all", "enable.idempotence": False, "delivery.timeout.ms": 300_000}
    assert "the kafka-clients equivalent of this run's confluent-kafka producer" in code


def test_a_java_runs_librdkafka_equivalent_waits_as_long_as_kafka_clients_did():
    conf = python_conf(codegen.python_producer(lesson_scenario("seed-java")))
    assert producer_config.resolve(conf).message_timeout_ms == java_config.DEFAULTS["delivery.timeout.ms"]


def test_a_short_librdkafka_time_out_gets_a_request_time_out_kafka_clients_accepts():
    code = codegen.java_producer(lesson_scenario("gapless-fatal", ("message.timeout.ms", 3000)))
    assert java_props(code)["request.timeout.ms"] == 3000 - java_config.DEFAULTS["linger.ms"]
    assert java_config.model_error(java_props(code)) is None


BUNDLED = [path.stem for path in sorted(scenarios.SCENARIO_DIR.glob("*.toml"))]


@pytest.mark.parametrize("name", BUNDLED)
def test_each_equivalent_is_accepted_by_its_client_when_the_run_was(name):
    for client, own_error, other_conf, other_error in [
        ("librdkafka", _librdkafka_error, lambda s: java_props(codegen.java_producer(s)), java_config.model_error),
        ("java", java_config.model_error, lambda s: python_conf(codegen.python_producer(s)), _librdkafka_error),
    ]:
        scenario = lesson_scenario(name, ("client", client))
        if own_error(scenario.producer) is None:
            assert other_error(other_conf(scenario)) is None, (client, other_conf(scenario))


def _librdkafka_error(conf) -> str | None:
    try:
        producer_config.resolve(conf)
    except producer_config.ConfigError as error:
        return str(error)
    return None


def test_a_librdkafka_runs_java_equivalent_uses_the_java_names_and_says_what_it_leaves_out():
    scenario = lesson_scenario("gapless-fatal", ("message.timeout.ms", 3000), ("request.required.acks", -1))
    code = codegen.java_producer(scenario)
    assert java_props(code) == {
        "enable.idempotence": True,
        "delivery.timeout.ms": 3000,
        "acks": "all",
        "request.timeout.ms": 3000 - java_config.DEFAULTS["linger.ms"],
    }
    assert "// enable.gapless.guarantee=True: librdkafka only, no kafka-clients equivalent" in code


def test_a_librdkafka_name_in_a_java_run_is_kept_and_marked_ignored():
    code = codegen.java_producer(lesson_scenario("reorder-idempotent", ("client", "java")))
    assert 'props.put("batch.num.messages", 1);  // librdkafka\'s name: kafka-clients ignores it' in code


# ---- untrusted values ---------------------------------------------------------------------------


def hostile_scenario(client: str) -> scenarios.Scenario:
    return from_dict(
        {
            "title": HOSTILE,
            "client": client,
            "producer": {"enable.idempotence": True},
            "step": [{"send": [HOSTILE, "m2"], "key": HOSTILE}],
        }
    )


@pytest.mark.parametrize("client", ["java", "librdkafka"])
def test_values_from_a_scenario_stay_inside_their_java_literals(client):
    code = codegen.java_producer(hostile_scenario(client))
    assert code.isascii()
    sends = re.findall(r'new ProducerRecord<>\(("my-topic"), ("(?:[^"\\]|\\.)*"), ("(?:[^"\\]|\\.)*")\)', code)
    assert [(java_literal(k), java_literal(v)) for _t, k, v in sends] == [(HOSTILE, HOSTILE), (HOSTILE, "m2")]
    # javac turns \\uXXXX escapes into characters before anything else, comments included
    title_line = next(line for line in code.splitlines() if line.startswith("// "))
    as_javac_reads_it = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), title_line)
    assert not re.search(r"[\r\n]", as_javac_reads_it)


@pytest.mark.parametrize("client", ["java", "librdkafka"])
def test_values_from_a_scenario_stay_inside_their_python_literals(client):
    code = codegen.python_producer(hostile_scenario(client))
    tree = ast.parse(code)
    produced = [
        (next(k.value.value for k in call.keywords if k.arg == "key"), call.keywords[1].value.value)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "produce"
    ]
    assert produced == [(HOSTILE, HOSTILE), (HOSTILE, "m2")]
    assert code.splitlines()[0].startswith("# ") and len(tree.body) == 7  # the title stayed one comment line


# ---- the Java program compiles -------------------------------------------------------------------


def test_every_generated_java_program_compiles_against_kafka_clients(tmp_path):
    from idemlab.kafka.java_client import KafkaSetupError, client_classpath, find_tool
    from tests.needs import skip_or_fail

    try:
        javac = find_tool("javac")
        classpath = client_classpath()
    except KafkaSetupError as error:
        skip_or_fail(f"cannot compile the take-away Java program: {error}")
    programs = [
        lesson_scenario("seed-java"),
        lesson_scenario("seed-java-acks-1"),
        lesson_scenario("lost-ack"),
        lesson_scenario("gapless-fatal"),
        lesson_scenario("reorder-idempotent", ("client", "java")),
        java_run({name: default for name, default in java_config.DEFAULTS.items()}),
        hostile_scenario("java"),
        hostile_scenario("librdkafka"),
    ]
    sources = []
    for index, scenario in enumerate(programs):  # one javac for all: each program under its own class name
        name = f"Program{index}"
        source = tmp_path / f"{name}.java"
        source.write_text(codegen.java_producer(scenario).replace(codegen.JAVA_CLASS, name), encoding="ascii")
        sources.append(str(source))
    done = subprocess.run(
        [str(javac), "-nowarn", "-cp", os.pathsep.join(map(str, classpath)), "-d", str(tmp_path / "out"), *sources],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(list((tmp_path / "out").glob("Program*.class"))) == len(programs)
