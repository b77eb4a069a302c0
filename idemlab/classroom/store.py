"""The store interface every class store implements (SQLite, Kafka), and the checks
they share.  A store is given the clock so that expiry can be tested.

Who may do what: anyone with the code joins and answers, and reads which questions
have been revealed; only the holder of the class's key (the instructor's control link)
reads the answers' overview, reveals a question and ends the class."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from idemlab.classroom import model
from idemlab.classroom.model import Answer, ClassError, ClassInfo, Hosting, Summary


class ClassStore(ABC):
    """Where classes and their answers live.  Thread-safe: one store serves every
    session of an app process."""

    kind = "abstract"

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    # -- what each store implements ------------------------------------------------------
    @abstractmethod
    def _save_class(self, info: ClassInfo) -> bool:
        """Store a new class; False if the code is taken."""

    @abstractmethod
    def _overwrite_class(self, info: ClassInfo) -> None:
        """Replace a class's times (used to end it early)."""

    @abstractmethod
    def _load_class(self, code: str) -> ClassInfo | None: ...

    @abstractmethod
    def _save_answers(self, code: str, answers: list[Answer], limit_learner: int, limit_learners: int) -> None:
        """Upsert one learner's answers as one write (one learner action); raise
        ClassError, storing none of them, when a new answer would pass the limits."""

    @abstractmethod
    def _load_answers(self, code: str) -> list[Answer]: ...

    @abstractmethod
    def _save_reveal(self, code: str, question: str, at: float) -> None: ...

    @abstractmethod
    def _load_reveals(self, code: str) -> set[str]: ...

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""

    def describe(self) -> str:
        return self.kind

    # -- the shared interface ------------------------------------------------------------
    def open_class(self, ttl_s: float = model.DEFAULT_TTL_S) -> Hosting:
        ttl = model.check_ttl(ttl_s)
        key = model.new_key()
        for _ in range(20):
            now = self.clock()
            info = ClassInfo(model.new_code(), now, now + ttl, model.key_hash(key))
            if self._save_class(info):
                return Hosting(info, key)
        raise ClassError("Could not find a free class code; try again.")

    def get_class(self, code: str) -> ClassInfo | None:
        """The class, or None when the code is unknown or the class has expired."""
        if model.normal_code(code) != code:
            return None
        info = self._load_class(code)
        return None if info is None or info.expired(self.clock()) else info

    def hosted(self, code: str, key: object) -> ClassInfo:
        """The live class when `key` is its instructor's; ClassError otherwise."""
        info = self._live(code)
        if not info.hosted_by(key):
            raise ClassError(f"This link does not control class {code}: only the instructor's link does.")
        return info

    def end_class(self, code: str, key: object) -> None:
        info = self.hosted(code, key)
        self._overwrite_class(ClassInfo(info.code, info.created, self.clock(), info.host_hash))

    def reveal(self, code: str, key: object, question: str) -> None:
        self.hosted(code, key)
        self._save_reveal(code, model.check_question(question), self.clock())

    def revealed(self, code: str) -> set[str]:
        """The questions the instructor has revealed (learners then see their verdicts)."""
        if self.get_class(code) is None:
            return set()
        return self._load_reveals(code)

    def submit(self, code: str, learner: str, question: str, choice: int) -> None:
        self.submit_many(code, learner, {question: choice})

    def submit_many(self, code: str, learner: str, choices: dict[str, int]) -> None:
        """A learner's answers from one action (a join carries the answers given so far),
        stored together or not at all."""
        model.check_code(code)
        for question, choice in choices.items():
            model.check_answer(learner, question, choice)
        self._live(code)
        now = self.clock()
        answers = [Answer(learner, question, int(choice), now) for question, choice in sorted(choices.items())]
        if answers:
            self._save_answers(code, answers, model.MAX_ANSWERS_PER_LEARNER, model.MAX_LEARNERS)

    def answers(self, code: str) -> list[Answer]:
        """The latest answer of each learner to each question; [] for an expired class."""
        if self.get_class(code) is None:
            return []
        return model.latest(self._load_answers(code))

    def tally(self, code: str, question: str, choices: int) -> list[int]:
        return model.tally(self.answers(code), question, choices)

    def summary(self, code: str) -> Summary:
        return model.summary(self.answers(code))

    def _live(self, code: str) -> ClassInfo:
        model.check_code(code)
        info = self.get_class(code)
        if info is None:
            raise ClassError(f"There is no open class {code}: it may have ended.")
        return info
