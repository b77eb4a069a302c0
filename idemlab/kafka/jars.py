"""Find a Java runtime and the class path of an Apache Kafka broker.

Order: $KAFKA_HOME/libs (an unpacked Apache Kafka release), else a per-version cache
outside the repository (~/.cache/idemlab/kafka-<version>/libs, root overridable with
$IDEMLAB_CACHE) that Maven fills once from pom.xml next to this file.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_KAFKA_VERSION = "4.4.0"
POM = Path(__file__).with_name("pom.xml")
MAVEN_TIMEOUT_S = 180  # about 20 s on a good link; IDEMLAB_MAVEN_TIMEOUT_S overrides
MAVEN_PROGRESS_EVERY_S = 15
# Maven's own network timeouts, so a stalled connection fails instead of hanging.
MAVEN_NETWORK_OPTIONS = [
    "-Daether.connector.connectTimeout=20000",
    "-Daether.connector.requestTimeout=60000",
    "-Dmaven.wagon.httpconnectionManager.ttlSeconds=30",
]


def maven_timeout_s() -> float:
    try:
        return max(1.0, float(os.environ.get("IDEMLAB_MAVEN_TIMEOUT_S", MAVEN_TIMEOUT_S)))
    except ValueError:
        return MAVEN_TIMEOUT_S


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


_ALTERNATIVES = (
    "Alternatively set KAFKA_HOME to an unpacked Apache Kafka 4.x release, use an existing "
    "broker with --backend kafka://HOST:PORT, or use the simulated broker with --backend sim."
)


class KafkaSetupError(Exception):
    """The local broker cannot be set up; the message says what to do about it."""


def cache_root() -> Path:
    return Path(os.environ.get("IDEMLAB_CACHE") or Path.home() / ".cache" / "idemlab")


def check_version(version: str) -> None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if not match or int(match.group(1)) < 4:
        raise KafkaSetupError(
            f"Kafka version {version!r} is not supported: the local broker runs KRaft-only "
            f"Apache Kafka 4.x, written like {DEFAULT_KAFKA_VERSION}."
        )


def find_java() -> Path:
    """The java binary: $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("java")
    if on_path:
        return Path(on_path)
    raise KafkaSetupError(_missing_tools_message(["java"]))


def kafka_classpath(version: str = DEFAULT_KAFKA_VERSION) -> list[Path]:
    """Every jar a broker of this version needs, downloading them once if necessary."""
    kafka_home = os.environ.get("KAFKA_HOME")
    if kafka_home:
        return _kafka_home_jars(Path(kafka_home))
    check_version(version)
    libs = cache_root() / f"kafka-{version}" / "libs"
    if not libs.is_dir():
        _fill_cache(version, libs)
    # Real paths: a JVM's class-data archive only matches the exact class path it was made with.
    return sorted(jar.resolve() for jar in libs.glob("*.jar"))


def jars_version(classpath: list[Path]) -> str | None:
    """The Kafka version named by the kafka_2.13-<version>.jar on the class path."""
    for jar in classpath:
        match = re.fullmatch(r"kafka_2\.1\d-(.+)\.jar", jar.name)
        if match:
            return match.group(1)
    return None


def _kafka_home_jars(kafka_home: Path) -> list[Path]:
    jars = sorted(jar.resolve() for jar in (kafka_home / "libs").glob("*.jar"))
    if not jars_version(jars):
        raise KafkaSetupError(
            f"KAFKA_HOME is {kafka_home}, but {kafka_home / 'libs'} holds no kafka_2.13-*.jar. "
            "Point KAFKA_HOME at an unpacked Apache Kafka 4.x release (the directory that "
            "contains bin/ and libs/), or unset it to let idemlab download the broker with Maven."
        )
    return jars


def _fill_cache(version: str, libs: Path) -> None:
    missing = [tool for tool in ("java", "mvn") if not _have(tool)]
    if missing:
        raise KafkaSetupError(_missing_tools_message(missing))
    install_once(libs.parent, f"kafka-{version}", lambda staging: _maven_copy_dependencies(version, staging / "libs"))


def install_once(final_dir: Path, name: str, fill) -> None:
    """Fill `final_dir` once, whatever other processes do: a lock keeps two from
    downloading at once, and `fill(staging)` works in a temporary directory that is
    renamed into place only when complete."""
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(final_dir.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final_dir.is_dir():
            return
        staging = Path(tempfile.mkdtemp(prefix=f"{name}.", dir=final_dir.parent))
        try:
            fill(staging)
            staging.chmod(0o755)
            os.rename(staging, final_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def maven_copy_command(pom: Path, version: str, output_dir: Path) -> list[str]:
    """Maven copying the dependencies of `pom` at Kafka `version` into `output_dir`."""
    return [
        "mvn",
        "-B",
        "-q",
        "-Dstyle.color=never",
        *MAVEN_NETWORK_OPTIONS,
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        f"-Dkafka.version={version}",
        f"-DoutputDirectory={output_dir}",
    ]


def _maven_copy_dependencies(version: str, output_dir: Path) -> None:
    command = maven_copy_command(POM, version, output_dir)
    timeout = maven_timeout_s()
    _progress(
        f"Downloading Apache Kafka {version}'s jars with Maven into {output_dir.parent.parent} "
        f"(once; about 20 s, at most {timeout:.0f} s)…"
    )
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            while True:
                try:
                    left = timeout - (time.monotonic() - started)
                    process.wait(timeout=max(0.1, min(MAVEN_PROGRESS_EVERY_S, left)))
                    break
                except subprocess.TimeoutExpired:
                    elapsed = time.monotonic() - started
                    if elapsed >= timeout:
                        raise
                    _progress(f"  … Maven still downloading after {elapsed:.0f} s (gives up at {timeout:.0f} s)")
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise KafkaSetupError(
                f"Maven did not finish downloading Apache Kafka {version} within {timeout:.0f} s. "
                f"Check access to Maven Central and retry (IDEMLAB_MAVEN_TIMEOUT_S allows longer). {_ALTERNATIVES}"
            ) from None
        except BaseException:
            process.kill()
            raise
        out.seek(0)
        output = out.read()
    done = subprocess.CompletedProcess(command, process.returncode, output, "")
    if done.returncode != 0 or not any(output_dir.glob("kafka_2.13-*.jar")):
        raise KafkaSetupError(
            f"Maven could not download Apache Kafka {version} (exit {done.returncode}): "
            f"{_maven_gist(done.stdout + done.stderr) or 'no output'}. Check the version exists on Maven Central and that "
            f"Maven can reach it. {_ALTERNATIVES}"
        )


def _maven_gist(output: str) -> str:
    """Maven's error lines without its generic advice, else its last lines."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in output.splitlines()]
    boilerplate = ("-e switch", "-X switch", "For more information", "cwiki.apache.org")
    errors = [
        line
        for line in lines
        if line.startswith("[ERROR]") and line != "[ERROR]" and not any(phrase in line for phrase in boilerplate)
    ]
    return " | ".join(errors[:4] or [line for line in lines if line][-8:])


def _have(tool: str) -> bool:
    if tool == "java":
        try:
            find_java()
        except KafkaSetupError:
            return False
        return True
    return shutil.which(tool) is not None


def _missing_tools_message(missing: list[str]) -> str:
    names = " and ".join(missing)
    where = "on PATH or in JAVA_HOME" if "java" in missing else "on PATH"
    return (
        f"The local Kafka broker needs {names}, which {'is' if len(missing) == 1 else 'are'} "
        f"not installed ({where}). Install {'it' if len(missing) == 1 else 'them'}, e.g. "
        "`apt-get install -y openjdk-17-jre-headless maven` (any Java 17+ works). " + _ALTERNATIVES
    )
