"""Apache Kafka's own Java producer, driven from Python over JSON lines.

kafka-clients of the local broker's version comes from Maven Central once (pom.xml in
java/, cached in ~/.cache/idemlab/kafka-clients-<version>/libs like the broker's jars);
java/IdemlabProducer.java is compiled against it once, into a directory named after the
source's hash.  A JavaProducer is one JVM: it starts in about a second, is killed by
stop() (callers use it in a finally), and ends by itself when its stdin closes, so it
never outlives the Python process that started it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from idemlab.kafka import jars
from idemlab.kafka.jars import KafkaSetupError

JAVA_DIR = Path(__file__).with_name("java")
SOURCE = JAVA_DIR / "IdemlabProducer.java"
POM = JAVA_DIR / "pom.xml"
MAIN_CLASS = "IdemlabProducer"
START_TIMEOUT_S = 60.0
COMPILE_TIMEOUT_S = 120.0
# A small, quickly started JVM: one client, a few hundred messages.
JVM_OPTIONS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m", "-Djava.awt.headless=true"]
REPLIES = frozenset({"ready", "created", "create_failed", "sent", "flushed", "closed", "bulked", "failed"})
# The Java client's own log lines (stderr) go here and print nothing unless asked for.
CLIENT_LOG = logging.getLogger("idemlab.java")
CLIENT_LOG.addHandler(logging.NullHandler())
CLIENT_LOG.propagate = False


_STARTED: list[int] = []


def started_pids() -> list[int]:
    """Every JVM this process started (tests check that none outlives its run)."""
    return list(_STARTED)


class JavaClientError(RuntimeError):
    """The Java program failed or stopped answering; str() says how."""


def find_tool(tool: str) -> Path:
    """java or javac: from $JAVA_HOME/bin, else PATH; KafkaSetupError in one line if absent."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / tool, os.X_OK):
        return Path(java_home) / "bin" / tool
    found = shutil.which(tool)
    if found:
        return Path(found)
    raise KafkaSetupError(
        f"The Java client needs {tool} (a JDK 17+), which is not installed (on PATH or in JAVA_HOME): "
        "install it with `apt-get install -y openjdk-17-jdk-headless maven`, or run with --client librdkafka."
    )


def client_classpath(version: str = jars.DEFAULT_KAFKA_VERSION) -> list[Path]:
    """kafka-clients and its runtime jars, downloaded once with Maven."""
    jars.check_version(version)
    libs = jars.cache_root() / f"kafka-clients-{version}" / "libs"
    if not libs.is_dir():
        _fill_cache(version, libs)
    return sorted(jar.resolve() for jar in libs.glob("*.jar"))


def _fill_cache(version: str, libs: Path) -> None:
    find_tool("java")
    if not shutil.which("mvn"):
        raise KafkaSetupError(
            "The Java client is downloaded with Maven, which is not installed: "
            "`apt-get install -y maven`, or run with --client librdkafka."
        )
    jars.install_once(libs.parent, f"kafka-clients-{version}", lambda staging: _maven_copy(version, staging / "libs"))


def _maven_copy(version: str, output_dir: Path) -> None:
    command = jars.maven_copy_command(POM, version, output_dir)
    jars._progress(f"Downloading Apache Kafka's Java client {version} with Maven (once)…")
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=jars.maven_timeout_s(),
        )
    except subprocess.TimeoutExpired:
        raise KafkaSetupError(
            f"Maven did not download kafka-clients {version} within {jars.maven_timeout_s():.0f} s; "
            "check access to Maven Central, or run with --client librdkafka."
        ) from None
    if done.returncode != 0 or not any(output_dir.glob("kafka-clients-*.jar")):
        raise KafkaSetupError(
            f"Maven could not download kafka-clients {version} (exit {done.returncode}): "
            f"{jars._maven_gist(done.stdout + done.stderr) or 'no output'}"
        )


def compiled_classes(classpath: list[Path]) -> Path:
    """IdemlabProducer compiled against this class path, once per source and client."""
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source + "\n".join(p.name for p in classpath).encode()).hexdigest()[:16]
    target = jars.cache_root() / "java-producer" / digest
    if (target / f"{MAIN_CLASS}.class").is_file():
        return target
    javac = find_tool("javac")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / f"{MAIN_CLASS}.class").is_file():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{digest}.", dir=target.parent))
        try:
            done = subprocess.run(
                [str(javac), "-nowarn", "-cp", os.pathsep.join(map(str, classpath)), "-d", str(staging), str(SOURCE)],
                capture_output=True,
                text=True,
                timeout=COMPILE_TIMEOUT_S,
            )
            if done.returncode != 0:
                raise KafkaSetupError(f"javac could not compile {SOURCE.name}: {done.stderr.strip()[-500:]}")
            os.rename(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def prepare(version: str = jars.DEFAULT_KAFKA_VERSION) -> list[str]:
    """The java command line that runs our program (downloads and compiles when needed)."""
    java = find_tool("java")
    find_tool("javac")
    classpath = client_classpath(version)
    classes = compiled_classes(classpath)
    return [str(java), *JVM_OPTIONS, "-cp", os.pathsep.join(map(str, [*classpath, classes])), MAIN_CLASS]


class JavaProducer:
    """One JVM running IdemlabProducer.  Events the client reports on its own (called,
    refused, delivery, fatal) go to on_event on a reader thread, in the order the
    program wrote them; replies to commands are awaited with request()/reply()."""

    def __init__(self, on_event: Callable[[dict[str, Any]], None], log_level: str = "warn") -> None:
        self.on_event = on_event
        self.client_id: str | None = None  # the client.id of the producer last created
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        command = prepare()
        command.insert(1, f"-Dorg.slf4j.simpleLogger.defaultLogLevel={log_level}")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        _STARTED.append(self.process.pid)
        threading.Thread(target=self._read_events, name="idemlab-java-out", daemon=True).start()
        threading.Thread(target=self._read_log, name="idemlab-java-log", daemon=True).start()
        try:
            ready = self.reply(START_TIMEOUT_S)
        except TimeoutError:
            self.stop()
            raise JavaClientError(f"the Java producer did not start within {START_TIMEOUT_S:.0f} s") from None
        except BaseException:
            self.stop()
            raise
        self.version = ready.get("version")

    def _read_events(self) -> None:
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                CLIENT_LOG.warning("not JSON from the Java program: %s", line.rstrip())
                continue
            if event.get("ev") in REPLIES:
                self._replies.put(event)
            else:
                self.on_event(event)
        self._replies.put(None)

    def _read_log(self) -> None:
        for line in self.process.stderr:
            CLIENT_LOG.info("%s", line.rstrip())

    def command(self, op: str, **fields: Any) -> None:
        try:
            self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise JavaClientError(f"the Java producer stopped ({exc})") from None

    def reply(self, timeout: float) -> dict[str, Any]:
        """The next reply; TimeoutError after timeout seconds, JavaClientError if the JVM ended."""
        try:
            event = self._replies.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        if event is None:
            self._replies.put(None)
            raise JavaClientError(f"the Java producer ended (exit {self.process.poll()})")
        if event["ev"] == "failed":
            raise JavaClientError(f"the Java producer failed at {event.get('op')}: {event.get('message')}")
        return event

    def request(self, op: str, timeout: float = START_TIMEOUT_S, **fields: Any) -> dict[str, Any]:
        self.command(op, **fields)
        return self.reply(timeout)

    def create(self, props: Mapping[str, Any]) -> str | None:
        """Creates the client; the Java client's own message when it refuses the config."""
        answer = self.request("create", props={k: _text(v) for k, v in props.items()})
        if answer["ev"] == "created":
            self.client_id = answer.get("client_id")
            return None
        return create_failure_text(answer)

    def stop(self) -> None:
        """Ends the JVM now (idempotent)."""
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # a killed process ends; never hang here
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            with contextlib.suppress(OSError):
                stream.close()


def create_failure_text(answer: Mapping[str, Any]) -> str:
    """The Java client's message, as its exception would print: with the cause when it wraps one."""
    text = f"{answer.get('error')}: {answer.get('message')}"
    if answer.get("cause"):
        text += f" (caused by {answer.get('cause_error')}: {answer.get('cause')})"
    return text


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


__all__ = ["CLIENT_LOG", "JavaClientError", "JavaProducer", "KafkaSetupError", "find_tool", "prepare", "started_pids"]
