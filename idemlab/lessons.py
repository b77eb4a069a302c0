"""Lessons as data: lessons/NN-slug.md files with TOML front matter and Markdown body.

A lesson file looks like this (see lessons/README.md for the full format):

    +++
    title = "Letters get lost"
    minutes = 10
    scenario = "lost-ack"
    overrides = { "enable.idempotence" = false }
    [prediction]
    question = "..."; choices = ["...", "..."]; answer = 0; explanation = "..."
    [[check]]
    question = "..."; choices = [...]; answer = 1; feedback = "..."
    [expect]
    duplicates = 1
    stored_values = ["m1", "m2", "m2", "m3"]
    +++
    ## Analogy
    ...

Every problem becomes a LessonError whose message is one line naming the file and the
key.  `check_expectations` compares a lesson's `[expect]` claims with a Trace, so a
lesson whose text and run disagree can fail the build.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idemlab import scenarios as _scenarios
from idemlab.errors import BackendUnavailable
from idemlab.model import (
    Scenario,
    Trace,
)
from idemlab.outcome import DERIVED_KEYS, OUTCOME_KEYS
from idemlab.outcome import facts as observed
from idemlab.validation import Where

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"

SECTIONS = ("Analogy", "Mechanism", "Experiment", "After the run", "Going further")
REQUIRED_SECTIONS = SECTIONS[:4]
FRONT_KEYS = {"title", "minutes", "scenario", "overrides", "prediction", "check", "expect"}
PREDICTION_KEYS = {"question", "choices", "answer", "explanation"}
CHECK_KEYS = {"question", "choices", "answer", "feedback"}

_FILE_RE = re.compile(r"^(\d+)-([a-z0-9][a-z0-9-]*)\.md$")
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_MSG_TOKEN_RE = re.compile(r"\b[a-z]+\d+\b")

# ---- what [expect] may claim: every fact of idemlab.outcome.facts ----------------------
# Outcome fields are compared as they are, except that a whole number given for a tuple
# field (duplicate_msgs, producer_ids, ...) is compared with the tuple's length
# ("producer_ids = 2" means two distinct producer ids in the log).
EXPECT_KEYS = frozenset(OUTCOME_KEYS) | frozenset(DERIVED_KEYS)  # from idemlab.outcome
# [expect.at_least] holds numeric lower bounds for the same keys (counts for tuples/lists).
AT_LEAST = "at_least"


class LessonError(ValueError):
    """A malformed lesson file; str() is one line naming the file and the key."""


@dataclass(frozen=True)
class Question:
    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str

    @property
    def correct(self) -> str:
        return self.choices[self.answer]

    def is_correct(self, choice: int) -> bool:
        return choice == self.answer


@dataclass(frozen=True)
class Lesson:
    slug: str
    number: int
    title: str
    minutes: int
    scenario: str
    overrides: dict[str, Any]
    sections: dict[str, str]
    prediction: Question
    checks: list[Question]
    expect: dict[str, Any]
    source: str = ""

    @property
    def placeholders(self) -> list[str]:
        """Names of {{placeholder}} keys in the body that the page fills (e.g. live figures)."""
        seen: list[str] = []
        for text in self.sections.values():
            for name in _PLACEHOLDER_RE.findall(text):
                if name not in seen:
                    seen.append(name)
        return seen

    def section(self, heading: str) -> str:
        return self.sections.get(heading, "")


# ---- loading --------------------------------------------------------------------------


def paths(directory: Path | None = None) -> list[Path]:
    folder = LESSON_DIR if directory is None else Path(directory)
    return sorted(
        (p for p in folder.glob("*.md") if _FILE_RE.match(p.name)),
        key=lambda p: (int(_FILE_RE.match(p.name).group(1)), p.name),
    )


def load_all(directory: Path | None = None) -> list[Lesson]:
    """Every lesson in number order.  Raises LessonError on the first malformed file."""
    lessons = [load_file(p) for p in paths(directory)]
    numbers = Counter(lesson.number for lesson in lessons)
    for lesson in lessons:
        if numbers[lesson.number] > 1:
            raise LessonError(f"{lesson.source}: number {lesson.number}: used by more than one lesson file")
    return lessons


def load(slug: str, directory: Path | None = None) -> Lesson:
    """A lesson by slug ("letters-get-lost"), file stem ("01-letters-get-lost") or number ("1")."""
    wanted = str(slug).strip()
    candidates = paths(directory)
    for path in candidates:
        match = _FILE_RE.match(path.name)
        number, name = int(match.group(1)), match.group(2)
        if wanted in (name, path.stem) or (wanted.isdigit() and int(wanted) == number):
            return load_file(path)
    known = ", ".join(_FILE_RE.match(p.name).group(2) for p in candidates) or "(none)"
    raise LessonError(f"{wanted}: no such lesson; choose one of: {known}")


def load_file(path: Path | str) -> Lesson:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{path}: cannot read the file ({exc})") from None
    match = _FILE_RE.match(path.name)
    if match is None:
        raise LessonError(f"{path}: file name must look like NN-some-slug.md")
    return parse(text, source=str(path), number=int(match.group(1)), slug=match.group(2))


def parse(text: str, source: str = "<lesson>", number: int = 0, slug: str = "lesson") -> Lesson:
    front, body = _split_front_matter(text, source)
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{source}: front matter is not valid TOML: {exc}") from None
    where = Where(source, error_type=LessonError)
    unknown = sorted(set(data) - FRONT_KEYS)
    if unknown:
        raise where.error(unknown[0], f"unknown key; allowed: {', '.join(sorted(FRONT_KEYS))}")
    title = where.text(data, "title")
    minutes = where.typed(data, "minutes", int, required=True)
    if minutes < 1 or minutes > 240:
        raise where.error("minutes", f"must be from 1 to 240, not {minutes}")
    scenario = where.text(data, "scenario")
    overrides = data.get("overrides", {})
    if not isinstance(overrides, Mapping):
        raise where.error("overrides", 'must be a table such as { "enable.idempotence" = false }')
    for key, value in overrides.items():
        if not isinstance(value, (str, int, float, bool)):
            raise where.error(f"overrides.{key}", "must be a string, number or boolean")
    if "prediction" not in data:
        raise where.error("prediction", "is required ([prediction] with question, choices, answer, explanation)")
    prediction = _question(where, data["prediction"], "prediction", PREDICTION_KEYS, "explanation")
    raw_checks = data.get("check", [])
    if not isinstance(raw_checks, list) or not raw_checks:
        raise where.error("check", "needs at least one [[check]] question")
    checks = [_question(where, raw, f"check[{i}]", CHECK_KEYS, "feedback") for i, raw in enumerate(raw_checks, 1)]
    expect = _expect(where, data.get("expect"))
    sections = _sections(body, where)
    return Lesson(
        slug=slug,
        number=number,
        title=title,
        minutes=minutes,
        scenario=scenario,
        overrides=dict(overrides),
        sections=sections,
        prediction=prediction,
        checks=checks,
        expect=expect,
        source=source,
    )


def _split_front_matter(text: str, source: str) -> tuple[str, str]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        raise LessonError(f"{source}: front matter: the file must start with a line '+++'")
    for index in range(1, len(lines)):
        if lines[index].strip() == "+++":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise LessonError(f"{source}: front matter: no closing '+++' line")


def _question(where: Where, raw: Any, label: str, allowed: set[str], why_key: str) -> Question:
    if not isinstance(raw, Mapping):
        raise where.error(label, "must be a table")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise where.error(f"{label}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
    sub = where.inside(f"{label}.")
    question = sub.text(raw, "question")
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
        raise sub.error("choices", "must be a list of at least two non-empty strings")
    if len(set(choices)) != len(choices):
        raise sub.error("choices", "has the same choice twice")
    answer = sub.typed(raw, "answer", int, required=True)
    if not 0 <= answer < len(choices):
        raise sub.error("answer", f"must be a 0-based index from 0 to {len(choices) - 1}, not {answer}")
    why = sub.text(raw, why_key)
    return Question(question=question, choices=tuple(choices), answer=answer, explanation=why)


def _expect(where: Where, raw: Any) -> dict[str, Any]:
    if raw is None:
        raise where.error("expect", "is required: the claims the lesson makes about its run, e.g. duplicates = 1")
    if not isinstance(raw, Mapping) or not raw:
        raise where.error("expect", "must be a non-empty table")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == AT_LEAST:
            if not isinstance(value, Mapping):
                raise where.error("expect.at_least", "must be a table of lower bounds")
            for sub_key, bound in value.items():
                if sub_key not in EXPECT_KEYS:
                    raise where.error(
                        f"expect.at_least.{sub_key}", f"unknown claim; allowed: {', '.join(sorted(EXPECT_KEYS))}"
                    )
                if isinstance(bound, bool) or not isinstance(bound, int):
                    raise where.error(f"expect.at_least.{sub_key}", "must be a whole number")
            out[AT_LEAST] = dict(value)
            continue
        if key not in EXPECT_KEYS:
            raise where.error(f"expect.{key}", f"unknown claim; allowed: {', '.join(sorted(EXPECT_KEYS))}, at_least")
        if isinstance(value, Mapping) and key != "errors":
            raise where.error(f"expect.{key}", "must be a value or a list, not a table")
        if key == "fatal" and not isinstance(value, bool):
            raise where.error(f"expect.{key}", "must be true or false")
        out[key] = value
    return out


def _sections(body: str, where: Where) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in body.splitlines():
        heading = re.match(r"^##\s+(.+?)\s*#*\s*$", line)
        if heading and not line.startswith("###"):
            name = heading.group(1).strip()
            if name not in SECTIONS:
                raise where.error(f"## {name}", f"unknown section heading; allowed: {', '.join(SECTIONS)}")
            if name in sections:
                raise where.error(f"## {name}", "appears twice")
            current = name
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif line.strip():
            raise where.error("body", "text before the first '## Analogy' heading")
    for name in REQUIRED_SECTIONS:
        if name not in sections or not "\n".join(sections[name]).strip():
            raise where.error(f"## {name}", "section is missing or empty")
    return {name: "\n".join(lines).strip() + "\n" for name, lines in sections.items()}


# ---- using a lesson -------------------------------------------------------------------


def scenario_for(lesson: Lesson) -> Scenario:
    """The lesson's scenario with its overrides applied (ScenarioError if either is bad)."""
    scenario = _scenarios.load(lesson.scenario)
    if lesson.overrides:
        scenario = _scenarios.apply_overrides(scenario, list(lesson.overrides.items()))
    return scenario


def render(
    text: str,
    values: Mapping[str, Any] | None = None,
    missing: str = "(not measured in this session: run the benchmark on a real broker)",
) -> str:
    """Fill {{name}} placeholders from `values`; unknown ones get the `missing` text."""
    values = values or {}

    def fill(match: re.Match) -> str:
        value = values.get(match.group(1))
        return missing if value is None else str(value)

    return _PLACEHOLDER_RE.sub(fill, text)


def prediction_log(choice: str) -> list[str] | None:
    """The stored log a prediction choice describes, if it starts with one.

    "m1, m2, m2, m3 — letter 2 twice" -> ["m1", "m2", "m2", "m3"]; prose -> None.
    """
    head = re.split(r"\s[—–-]\s|:|\(", choice, maxsplit=1)[0]
    tokens = [t.strip() for t in head.split(",")]
    if tokens and all(_MSG_TOKEN_RE.fullmatch(t) for t in tokens):
        return tokens
    return None


def check_expectations(lesson: Lesson, trace: Trace) -> list[str]:
    """One line per claim in the lesson's [expect] that this run contradicts; [] if none."""
    facts = observed(trace)
    problems: list[str] = []
    expects_refusal = "config_error" in lesson.expect or "run_error" in lesson.expect
    if trace.run_error and not expects_refusal:
        problems.append(f"{lesson.slug}: the run stopped early: {trace.run_error}")
    for key, wanted in lesson.expect.items():
        if key == AT_LEAST:
            for sub_key, bound in wanted.items():
                actual = facts[sub_key]
                size = len(actual) if isinstance(actual, (list, tuple, dict, str)) else actual
                if size is None or size < bound:
                    problems.append(
                        f"{lesson.slug}: expect.at_least.{sub_key}: "
                        f"wanted at least {bound}, the run gave {_show(actual)}"
                    )
            continue
        actual = facts[key]
        if not _matches(key, wanted, actual):
            problems.append(
                f"{lesson.slug}: expect.{key}: the lesson says {_show(wanted)}, the run gave {_show(actual)}"
            )
    return problems


def check_run(lesson: Lesson, run: Callable[[Scenario], Trace]) -> list[str]:
    """Run the lesson's experiment with `run` (e.g. idemlab.sim.run) and check its claims.

    A back end may refuse a bad producer configuration by raising instead of returning a
    Trace; that counts as the run's error text for a lesson that claims `config_error`.
    """
    try:
        scenario = scenario_for(lesson)
    except _scenarios.ScenarioError as exc:  # reported as a disagreement, one line
        return [f"{lesson.slug}: scenario {lesson.scenario!r} with overrides {lesson.overrides}: {exc}"]
    try:
        trace = run(scenario)
    except (BackendUnavailable, ValueError) as exc:  # a back end that refuses the run or its config
        wanted = lesson.expect.get("config_error")
        if wanted is not None and str(wanted).lower() in str(exc).lower():
            return []
        return [f"{lesson.slug}: running {lesson.scenario!r} raised {type(exc).__name__}: {exc}"]
    return check_expectations(lesson, trace)


def _matches(key: str, wanted: Any, actual: Any) -> bool:
    if key == "config_error":
        return str(wanted).lower() in str(actual).lower()
    if key == "broker_errors_include":
        wanted_list = [wanted] if isinstance(wanted, str) else list(wanted)
        return all(w in actual for w in wanted_list)
    if key == "fatal_error" and isinstance(wanted, str) and isinstance(actual, str):
        return wanted.lower() in actual.lower()
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return bool(actual) == wanted if isinstance(wanted, bool) else wanted == actual
    if isinstance(wanted, int) and isinstance(actual, (tuple, list, dict)):
        return len(actual) == wanted
    if isinstance(wanted, list) and isinstance(actual, (tuple, list)):
        return list(actual) == wanted
    if isinstance(wanted, Mapping) and isinstance(actual, Mapping):
        return dict(actual) == dict(wanted)
    return actual == wanted


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, str):
        return repr(value.splitlines()[0][:120]) if value else "''"
    return repr(value)


__all__ = [
    "DERIVED_KEYS",
    "EXPECT_KEYS",
    "SECTIONS",
    "Lesson",
    "LessonError",
    "Question",
    "check_expectations",
    "check_run",
    "load",
    "load_all",
    "load_file",
    "observed",
    "parse",
    "prediction_log",
    "render",
    "scenario_for",
]
