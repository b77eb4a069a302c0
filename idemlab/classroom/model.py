"""A live class: its vocabulary, limits and validation.  Pure: no I/O.

A class is anonymous: a short code, a creation and an expiry time, and the answers of
learners known only by a random token their browser holds.  An answer is one choice
for one question of one lesson ("3.p" = lesson 3's prediction, "3.c0" its first check
question, "3.done" = the learner finished lesson 3); a learner's later answer to the
same question replaces the earlier one; "joined" marks a learner who joined.  Everything a visitor sends is checked here,
bounded and refused with a ClassError whose message can be shown as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed from a projector
CODE_LENGTH = 6
DEFAULT_TTL_S = 4 * 3600
MAX_TTL_S = 24 * 3600
MAX_ANSWERS_PER_LEARNER = 100  # 7 lessons x (prediction + 3 checks + done) = 35, with room
MAX_LEARNERS = 300
MAX_CHOICE = 25
DONE = "done"

_CODE_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_LEARNER_RE = re.compile(r"[A-Za-z0-9_-]{8,32}")
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
JOINED = "joined"  # sent when a learner joins, so "n of m answered" counts everyone in the room
_QUESTION_RE = re.compile(r"(\d{1,3})\.(p|r|c\d{1,2}|done)|" + JOINED)  # r: a second try after the run


class ClassError(ValueError):
    """A refused class operation; str() is one sentence fit to show a learner."""


@dataclass(frozen=True)
class ClassInfo:
    code: str
    created: float
    expires: float
    host_hash: str = ""  # sha256 of the instructor's key; the key itself is never stored

    def expired(self, now: float) -> bool:
        return now >= self.expires

    def hosted_by(self, key: object) -> bool:
        return bool(self.host_hash) and hmac.compare_digest(self.host_hash, key_hash(key))


@dataclass(frozen=True)
class Hosting:
    """What opening a class gives the instructor: the class, and the secret key of the
    control link (only its holder sees the overview, reveals answers and ends the class;
    the join code is public, read aloud and projected)."""

    info: ClassInfo
    key: str

    @property
    def code(self) -> str:
        return self.info.code


@dataclass(frozen=True)
class Answer:
    learner: str
    question: str  # "3.p", "3.c0", "3.done"
    choice: int
    at: float

    @property
    def lesson(self) -> int:
        return int(self.question.split(".")[0])


@dataclass(frozen=True)
class Summary:
    learners: int  # learners who sent anything
    finished: dict[int, int]  # lesson number -> learners who finished it


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_key() -> str:
    return secrets.token_urlsafe(18)  # 24 characters: not guessable, unlike a 6-letter code


def key_hash(key: object) -> str:
    return hashlib.sha256(str(key or "").encode()).hexdigest()


def valid_key(text: object) -> str:
    value = str(text or "")
    return value if _KEY_RE.fullmatch(value) else ""


def new_learner() -> str:
    return secrets.token_urlsafe(9)  # 12 characters of [A-Za-z0-9_-]


def normal_code(text: object) -> str:
    """The class code in `text` (any case, spaces and dashes ignored), or ''."""
    cleaned = re.sub(r"[\s-]", "", str(text or ""))[:20].upper()
    return cleaned if _CODE_RE.fullmatch(cleaned) else ""


def valid_learner(text: object) -> str:
    value = str(text or "")
    return value if _LEARNER_RE.fullmatch(value) else ""


def check_code(code: str) -> str:
    if not _CODE_RE.fullmatch(str(code)):
        raise ClassError("That is not a class code: six letters and digits, such as K7QM2X.")
    return code


def check_question(question: str) -> str:
    if not _QUESTION_RE.fullmatch(str(question)):
        raise ClassError("Unknown question.")
    return question


def check_answer(learner: str, question: str, choice: int) -> None:
    if not valid_learner(learner):
        raise ClassError("This browser's class token is not valid; join the class again.")
    check_question(question)
    if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice <= MAX_CHOICE:
        raise ClassError("Unknown choice.")


def check_ttl(ttl_s: float) -> float:
    if not 60 <= ttl_s <= MAX_TTL_S:
        raise ClassError(f"A class lasts from 1 minute to {MAX_TTL_S // 3600} hours.")
    return float(ttl_s)


def latest(answers: list[Answer]) -> list[Answer]:
    """One answer per learner and question: the latest."""
    out: dict[tuple[str, str], Answer] = {}
    for answer in sorted(answers, key=lambda a: a.at):
        out[(answer.learner, answer.question)] = answer
    return list(out.values())


def tally(answers: list[Answer], question: str, choices: int) -> list[int]:
    counts = [0] * choices
    for answer in answers:
        if answer.question == question and 0 <= answer.choice < choices:
            counts[answer.choice] += 1
    return counts


def summary(answers: list[Answer]) -> Summary:
    finished: dict[int, int] = {}
    for answer in answers:
        if answer.question.endswith("." + DONE):
            finished[answer.lesson] = finished.get(answer.lesson, 0) + 1
    return Summary(len({a.learner for a in answers}), dict(sorted(finished.items())))
