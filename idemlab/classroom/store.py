"""The store interface every class store implements (SQLite, Kafka), and the checks
they share.  A store is given the clock so that expiry can be tested."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from idemlab.classroom import model
from idemlab.classroom.model import Answer, ClassError, ClassInfo, Summary


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
    def _save_answer(self, code: str, answer: Answer, limit_learner: int, limit_learners: int) -> None:
        """Upsert; raise ClassError when a new answer would pass the limits."""

    @abstractmethod
    def _load_answers(self, code: str) -> list[Answer]: ...

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""

    def describe(self) -> str:
        return self.kind

    # -- the shared interface ------------------------------------------------------------
    def open_class(self, ttl_s: float = model.DEFAULT_TTL_S) -> ClassInfo:
        ttl = model.check_ttl(ttl_s)
        for _ in range(20):
            now = self.clock()
            info = ClassInfo(model.new_code(), now, now + ttl)
            if self._save_class(info):
                return info
        raise ClassError("Could not find a free class code; try again.")

    def get_class(self, code: str) -> ClassInfo | None:
        """The class, or None when the code is unknown or the class has expired."""
        if model.normal_code(code) != code:
            return None
        info = self._load_class(code)
        return None if info is None or info.expired(self.clock()) else info

    def end_class(self, code: str) -> None:
        info = self._live(code)
        self._overwrite_class(ClassInfo(info.code, info.created, self.clock()))

    def submit(self, code: str, learner: str, question: str, choice: int) -> None:
        model.check_code(code)
        model.check_answer(learner, question, choice)
        self._live(code)
        answer = Answer(learner, question, int(choice), self.clock())
        self._save_answer(code, answer, model.MAX_ANSWERS_PER_LEARNER, model.MAX_LEARNERS)

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
