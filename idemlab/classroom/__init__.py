"""Live classes: an instructor opens a class (a short code), learners join anonymously
and answer the lessons' questions, the presenter shows the class's answers.

    store = open_store(os.environ)       # SQLite by default, Kafka when the operator says so
    info = store.open_class()            # info.code, e.g. "K7QM2X"
    store.submit(info.code, learner, "3.p", 1)
    store.tally(info.code, "3.p", 4)     # [0, 1, 0, 0]

The store is chosen by the operator (environment variables or Streamlit secrets),
never by a visitor:

    IDEMLAB_CLASS_STORE   sqlite (default) | kafka
    IDEMLAB_CLASS_DB      the SQLite file (default ~/.cache/idemlab/classes.sqlite3)
    IDEMLAB_CLASS_KAFKA   bootstrap servers of an existing cluster (with store = kafka)
    IDEMLAB_CLASS_TOPIC   the compacted topic (default idemlab-classes)
    IDEMLAB_CLASS_KAFKA_CONFIG   a file of client properties (key=value lines), e.g. SASL
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from idemlab.classroom.model import (
    DEFAULT_TTL_S,
    MAX_ANSWERS_PER_LEARNER,
    MAX_LEARNERS,
    Answer,
    ClassError,
    ClassInfo,
    Summary,
    new_learner,
    normal_code,
    valid_learner,
)
from idemlab.classroom.store import ClassStore

DEFAULT_DB = Path("~/.cache/idemlab/classes.sqlite3")

__all__ = [
    "DEFAULT_TTL_S",
    "MAX_ANSWERS_PER_LEARNER",
    "MAX_LEARNERS",
    "Answer",
    "ClassError",
    "ClassInfo",
    "ClassStore",
    "Summary",
    "new_learner",
    "normal_code",
    "open_store",
    "valid_learner",
]


def _properties(path: str) -> dict[str, str]:
    out = {}
    for line in Path(path).expanduser().read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def open_store(settings: Mapping[str, str]) -> ClassStore:
    """The store the operator configured (IDEMLAB_CLASS_* keys; see the module doc).
    Raises ClassError with a one-line reason when it cannot be opened."""
    kind = str(settings.get("IDEMLAB_CLASS_STORE", "sqlite")).strip().lower() or "sqlite"
    if kind == "sqlite":
        from idemlab.classroom.sqlite_store import SqliteStore

        path = settings.get("IDEMLAB_CLASS_DB") or DEFAULT_DB
        try:
            return SqliteStore(path)
        except OSError as exc:
            raise ClassError(f"The class database {path} cannot be opened: {exc}") from None
    if kind == "kafka":
        from idemlab.classroom.kafka_store import DEFAULT_TOPIC, KafkaStore

        bootstrap = settings.get("IDEMLAB_CLASS_KAFKA", "")
        if not bootstrap:
            raise ClassError("IDEMLAB_CLASS_STORE=kafka needs IDEMLAB_CLASS_KAFKA (the cluster's bootstrap servers).")
        config_path = settings.get("IDEMLAB_CLASS_KAFKA_CONFIG")
        try:
            config = _properties(config_path) if config_path else {}
            return KafkaStore(bootstrap, settings.get("IDEMLAB_CLASS_TOPIC") or DEFAULT_TOPIC, config)
        except Exception as exc:  # noqa: BLE001 - any client or file error: one line for the operator
            raise ClassError(f"The class store on Kafka ({bootstrap}) cannot be opened: {exc}") from None
    raise ClassError(f"IDEMLAB_CLASS_STORE must be sqlite or kafka, not {kind[:20]!r}.")
