"""Classes in one SQLite file: no set-up, survives an app restart, and safe with
several app processes on one machine (WAL journal, a busy timeout, and every check and
write of an answer in one IMMEDIATE transaction)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from idemlab.classroom.model import Answer, ClassError, ClassInfo
from idemlab.classroom.store import ClassStore

BUSY_TIMEOUT_S = 10.0
PURGE_AFTER_S = 3600.0  # an expired class's rows go an hour after it ends

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY,
    created REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL,
    learner TEXT NOT NULL,
    question TEXT NOT NULL,
    choice INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (code, learner, question)
);
"""


class SqliteStore(ClassStore):
    kind = "sqlite"

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        try:
            db.execute("PRAGMA journal_mode = WAL")  # kept by the file: readers never wait for a writer
            db.executescript(SCHEMA)
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

    @contextmanager
    def _transaction(self):
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def _read(self, sql: str, args: tuple) -> list[tuple]:
        db = self._connect()
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def _save_class(self, info: ClassInfo) -> bool:
        with self._transaction() as db:
            old = self.clock() - PURGE_AFTER_S
            db.execute("DELETE FROM answers WHERE code IN (SELECT code FROM classes WHERE expires < ?)", (old,))
            db.execute("DELETE FROM classes WHERE expires < ?", (old,))
            try:
                db.execute("INSERT INTO classes VALUES (?, ?, ?)", (info.code, info.created, info.expires))
            except sqlite3.IntegrityError:
                return False
        return True

    def _overwrite_class(self, info: ClassInfo) -> None:
        with self._transaction() as db:
            db.execute("UPDATE classes SET expires = ? WHERE code = ?", (info.expires, info.code))

    def _load_class(self, code: str) -> ClassInfo | None:
        rows = self._read("SELECT code, created, expires FROM classes WHERE code = ?", (code,))
        return ClassInfo(*rows[0]) if rows else None

    def _save_answer(self, code: str, answer: Answer, limit_learner: int, limit_learners: int) -> None:
        with self._transaction() as db:
            key = (code, answer.learner, answer.question)
            exists = db.execute("SELECT 1 FROM answers WHERE code = ? AND learner = ? AND question = ?", key).fetchone()
            if not exists:
                (mine,) = db.execute(
                    "SELECT COUNT(*) FROM answers WHERE code = ? AND learner = ?", (code, answer.learner)
                ).fetchone()
                if mine >= limit_learner:
                    raise ClassError(f"This browser has sent {limit_learner} answers to the class, the most it may.")
                if mine == 0:
                    (learners,) = db.execute(
                        "SELECT COUNT(DISTINCT learner) FROM answers WHERE code = ?", (code,)
                    ).fetchone()
                    if learners >= limit_learners:
                        raise ClassError(f"The class is full ({limit_learners} learners).")
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (code, learner, question) DO UPDATE SET choice = excluded.choice, at = excluded.at",
                (*key, answer.choice, answer.at),
            )

    def _load_answers(self, code: str) -> list[Answer]:
        rows = self._read("SELECT learner, question, choice, at FROM answers WHERE code = ?", (code,))
        return [Answer(*row) for row in rows]
