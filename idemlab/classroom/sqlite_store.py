"""Classes in one SQLite file: no set-up, survives an app restart, and safe with
several app processes on one machine: WAL journal (readers never wait for the writer),
every check and write of one learner action in one IMMEDIATE transaction, and a write
that finds the file locked is retried with jittered back-off until a deadline, so a
crowd of writers queues instead of failing.  What still fails becomes a ClassError of
one sentence, never sqlite3's own exception."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from idemlab.classroom.model import Answer, ClassError, ClassInfo
from idemlab.classroom.store import ClassStore

BUSY_TIMEOUT_S = 2.0  # SQLite's own wait per attempt; then we back off with jitter and try again
DEADLINE_S = 45.0  # an action that cannot get the file in this time is refused, in one sentence
BACKOFF_S = (0.02, 1.0)  # first and largest back-off
PURGE_AFTER_S = 3600.0  # an expired class's rows go an hour after it ends

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    host_hash TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL,
    learner TEXT NOT NULL,
    question TEXT NOT NULL,
    choice INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (code, learner, question)
);
CREATE TABLE IF NOT EXISTS reveals (
    code TEXT NOT NULL,
    question TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (code, question)
);
"""


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retrying(action, deadline_s: float = DEADLINE_S, sleep=time.sleep):
    """action() again after a jittered, growing pause while the file is locked; a
    ClassError once the deadline passes or for any other database error."""
    give_up = time.monotonic() + deadline_s
    pause = BACKOFF_S[0]
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() + pause > give_up:
                reason = "is busy" if _busy(exc) else "cannot be used"
                raise ClassError(f"The class database {reason}; nothing was saved, please try again.") from None
        except sqlite3.DatabaseError:
            raise ClassError("The class database cannot be read; tell the instructor.") from None
        sleep(random.uniform(0, pause))  # full jitter: colliding writers spread out
        pause = min(BACKOFF_S[1], pause * 2)


class SqliteStore(ClassStore):
    kind = "sqlite"

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        retrying(self._create)

    def _create(self) -> None:
        db = self._connect()
        try:
            db.execute("PRAGMA journal_mode = WAL")  # kept by the file: readers never wait for a writer
            db.executescript(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(classes)")}
            if "host_hash" not in columns:  # a file from before control links: its classes have no key
                db.execute("ALTER TABLE classes ADD COLUMN host_hash TEXT NOT NULL DEFAULT ''")
        finally:
            db.close()

    def describe(self) -> str:
        return f"SQLite file {self.path}"

    def _connect(self) -> sqlite3.Connection:
        # One short connection per operation: Streamlit runs scripts on many threads, and
        # sqlite3 connections must not cross threads.
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return db

    def _write(self, work):
        """work(db) in one IMMEDIATE transaction, retried whole while the file is locked."""
        return retrying(lambda: self._attempt(work))

    def _attempt(self, work):
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result
        finally:
            db.close()

    def _read(self, sql: str, args: tuple) -> list[tuple]:
        def attempt():
            db = self._connect()
            try:
                return db.execute(sql, args).fetchall()
            finally:
                db.close()

        return retrying(attempt)

    def _save_class(self, info: ClassInfo) -> bool:
        def work(db) -> bool:
            old = self.clock() - PURGE_AFTER_S
            for table in ("answers", "reveals"):
                db.execute(f"DELETE FROM {table} WHERE code IN (SELECT code FROM classes WHERE expires < ?)", (old,))
            db.execute("DELETE FROM classes WHERE expires < ?", (old,))
            try:
                db.execute(
                    "INSERT INTO classes VALUES (?, ?, ?, ?)", (info.code, info.created, info.expires, info.host_hash)
                )
            except sqlite3.IntegrityError:
                return False
            return True

        return self._write(work)

    def _overwrite_class(self, info: ClassInfo) -> None:
        self._write(lambda db: db.execute("UPDATE classes SET expires = ? WHERE code = ?", (info.expires, info.code)))

    def _load_class(self, code: str) -> ClassInfo | None:
        rows = self._read("SELECT code, created, expires, host_hash FROM classes WHERE code = ?", (code,))
        return ClassInfo(*rows[0]) if rows else None

    def _save_answers(self, code: str, answers: list[Answer], limit_learner: int, limit_learners: int) -> None:
        learner = answers[0].learner

        def work(db) -> None:
            rows = db.execute("SELECT question FROM answers WHERE code = ? AND learner = ?", (code, learner))
            known = {row[0] for row in rows}
            mine = len(known)
            new = sum(1 for answer in answers if answer.question not in known)
            if new and mine + new > limit_learner:
                raise ClassError(f"This browser has sent {limit_learner} answers to the class, the most it may.")
            if new and mine == 0:
                (learners,) = db.execute(
                    "SELECT COUNT(DISTINCT learner) FROM answers WHERE code = ?", (code,)
                ).fetchone()
                if learners >= limit_learners:
                    raise ClassError(f"The class is full ({limit_learners} learners).")
            db.executemany(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (code, learner, question) DO UPDATE SET choice = excluded.choice, at = excluded.at",
                [(code, a.learner, a.question, a.choice, a.at) for a in answers],
            )

        self._write(work)

    def _save_reveal(self, code: str, question: str, at: float) -> None:
        self._write(lambda db: db.execute("INSERT OR IGNORE INTO reveals VALUES (?, ?, ?)", (code, question, at)))

    def _load_reveals(self, code: str) -> set[str]:
        return {row[0] for row in self._read("SELECT question FROM reveals WHERE code = ?", (code,))}

    def _load_answers(self, code: str) -> list[Answer]:
        rows = self._read("SELECT learner, question, choice, at FROM answers WHERE code = ?", (code,))
        return [Answer(*row) for row in rows]
