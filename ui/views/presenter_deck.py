"""A lesson as a deck of slides for the presenter view.  Pure: Lesson + Trace -> slides.

The order an instructor walks through:

    title · analogy (its first slide with the lesson's mail room, paused where the lesson
    page pauses it) · experiment · predict · reveal (the class's answers, then the right
    one and why) · one slide per key moment of the run (idemlab.moments) · mechanism (one
    slide per point: it explains the run, so it never comes before the prediction) · after the run (the takeaways beside the stored log and
    the diagram) · each check question followed by its reveal.

Every slide holds a few words (at most SLIDE_WORDS on screen, its title included, written
per lesson in lessons/instructor-notes.toml under `slides`); the lesson's own prose for
that part is the slide's speaker notes, so the room reads the point and the instructor
has the whole argument.  A question slide shows a short version of the lesson's question
and options, in the lesson's order and lettering (learners answer in the lesson page and
the class chart counts by option index); the full question is in its notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from idemlab import lessons as lesson_module
from idemlab.model import Trace
from idemlab.moments import key_moments
from ui.views import analogy_preview, kit_notes, sequence_marks

TEXT_LIMIT = 900  # characters of Markdown that fit a 1920x1080 slide in large type
SLIDE_WORDS = 40  # the most words a slide shows, its title included


@dataclass(frozen=True)
class Slide:
    kind: str  # title | text | question | reveal | moment | after
    title: str
    body: str = ""  # Markdown (lesson content: the repository's own text)
    question: str = ""  # "p" or "c0", "c1", … for question and reveal slides
    position: int | None = None  # timeline position for a moment slide
    notes: str = ""  # speaker notes (Markdown): the lesson's own prose behind the slide
    choices: tuple[str, ...] = ()  # a question's options as the slide and the class chart show them
    picture: str = ""  # "analogy": the lesson's mail room paused at its analogy preview
    why: str = ""  # a reveal's one-line reason, shown with the answer
    moment: str = ""  # an after-the-run slide's key moment (its kind), where its diagram stops
    answer: int | None = None  # a reveal's right option (index into choices)
    window: int = 0  # an after-the-run slide's diagram rows (0: AFTER_WINDOW)

    @property
    def label(self) -> str:
        return self.title


def chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Paragraph blocks merged greedily up to `limit` characters; a block is never cut."""
    blocks = [block.strip() for block in text.strip().split("\n\n") if block.strip()]
    out: list[str] = []
    for block in blocks:
        if out and len(out[-1]) + len(block) + 2 <= limit:
            out[-1] += "\n\n" + block
        else:
            out.append(block)
    return out or [""]


def letter(index: int) -> str:
    return chr(65 + index)


def options_markdown(choices) -> str:
    """One option per line, lettered: a Markdown list, so options never run together."""
    return "\n".join(f"- **{letter(i)}.** {choice}" for i, choice in enumerate(choices))


def answer_markdown(choices, answer: int) -> str:
    """The options again, the right one marked by a shape, a word and bold type (its colour
    only adds to them): what a reveal shows once the answer is up and no class chart lists them."""
    return "\n".join(
        f"- **:green[✓ {letter(i)}. {choice} — answer]**" if i == answer else f"- **{letter(i)}.** {choice}"
        for i, choice in enumerate(choices)
    )


def question_of(lesson, qid: str):
    return lesson.prediction if qid == "p" else lesson.checks[int(qid[1:])]


def on_screen(slide: Slide) -> str:
    """All the text a slide shows the room: its title, its body and, on a reveal slide, the
    options the class chart labels (the live counts and the presenter's buttons aside)."""
    shown = [slide.title, slide.body]
    if slide.kind == "reveal":
        shown.append(options_markdown(slide.choices))
    return "\n\n".join(part for part in shown if part)


def words(text: str) -> int:
    """Words a reader sees in Markdown: markup, list marks and code ticks are not words."""
    return len(re.findall(r"[\w][\w'’.,:=<>+-]*", re.sub(r"[*_`#>|]", " ", text)))


def shortened(text: str, limit: int = SLIDE_WORDS - 4) -> str:
    """A stand-in for a slide text nobody has written yet: the first words of the prose."""
    kept, count = [], 0
    for token in text.split():
        count += words(token)
        if count > limit:
            return " ".join(kept) + " …"
        kept.append(token)
    return " ".join(kept)


def headline(text: str) -> str:
    """A moment's first sentence, without quoted client messages, and up to its colon (what
    follows explains it): the slide's title, whole (the full text is in the speaker notes)."""
    plain = re.sub(r"\s*\(“[^”]*”\)", "", text)
    first = re.split(r"(?<=\.)\s+(?=[A-Z])", plain, maxsplit=1)[0]
    if words(first) > SLIDE_WORDS - 10:
        first = re.split(r":\s", first, maxsplit=1)[0]
    return first if words(first) <= SLIDE_WORDS - 10 else shortened(first, SLIDE_WORDS - 10)


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip(), maxsplit=1)[0]


def _share(text: str, parts: int) -> list[str]:
    """The prose's paragraphs in `parts` consecutive groups, as even as blocks allow."""
    blocks = [block.strip() for block in text.strip().split("\n\n") if block.strip()]
    out = []
    for i in range(parts):
        group = blocks[len(blocks) * i // parts : len(blocks) * (i + 1) // parts]
        out.append("\n\n".join(group))
    return out


def _section(kind: str, title: str, short, prose: str) -> list[Slide]:
    """The slides of one part of a lesson: its short texts, the prose shared among their notes."""
    texts = [short] if isinstance(short, str) else list(short or [])
    if not texts:
        texts = [shortened(prose)]
    notes = _share(prose, len(texts))
    if len(texts) == 1:
        return [Slide(kind, title, texts[0], notes=notes[0])]
    return [
        Slide(kind, f"{title} ({i} of {len(texts)})", text, notes=note)
        for i, (text, note) in enumerate(zip(texts, notes, strict=True), 1)
    ]


def on_slide(question, short: dict | None) -> tuple[str, tuple[str, ...]]:
    """The question and options a slide shows: the short version written for the slide when
    it has the lesson's number of options (so every letter is the lesson's), else the lesson's."""
    short = short if isinstance(short, dict) else {}
    choices = short.get("choices")
    text = short.get("question")
    if not isinstance(text, str) or not isinstance(choices, list) or len(choices) != len(question.choices):
        return question.question, tuple(question.choices)
    return text, tuple(str(choice) for choice in choices)


def reason(question, short: dict | None) -> str:
    """A reveal's one-line reason: the one written for the slide, else the explanation's first
    sentence."""
    written = short.get("why") if isinstance(short, dict) else None
    return written if isinstance(written, str) and written.strip() else first_sentence(question.explanation)


def question_slides(question, qid: str, title: str, reveal_title: str, short: dict | None) -> list[Slide]:
    """A question and its reveal.  The question's notes are the lesson's full question;
    the reveal's body names the right option and its `why` the reason in a line, its notes
    hold the lesson's explanation."""
    text, choices = on_slide(question, short)
    full = f"**The lesson's question:** {question.question}\n\n{options_markdown(question.choices)}"
    answer = letter(question.answer)
    notes = f"**Answer {answer}.** {question.correct}\n\n{question.explanation}"
    body = f"**Answer {answer}.** {choices[question.answer]}"
    return [
        Slide("question", title, f"{text}\n\n{options_markdown(choices)}", qid, notes=full, choices=choices),
        Slide(
            "reveal",
            reveal_title,
            body,
            qid,
            notes=notes,
            choices=choices,
            why=reason(question, short),
            answer=question.answer,
        ),
    ]


def revealed(slide: Slide) -> str:
    """What a reveal slide shows once the answer is up and no class chart is on it: the
    title, every option with the right one marked, and its reason."""
    options = answer_markdown(slide.choices, slide.answer) if slide.answer is not None else slide.body
    return "\n\n".join(part for part in (slide.title, options, slide.why) if part)


def after_moment(trace: Trace | None, kind: str | None = None):
    """The key moment an after-the-run slide's diagram stops at: the last of `kind` when the
    lesson's slide notes name one (`after_moment`), else the run's last key moment other than
    the producer's registration; None when the run has none (the diagram shows its end)."""
    if trace is None or not trace.events:
        return None
    moments = [m for m in key_moments(trace) if m.kind != "new_producer_id"]
    if isinstance(kind, str) and any(m.kind == kind for m in moments):
        moments = [m for m in moments if m.kind == kind]
    return moments[-1] if moments else None


def after_window(trace: Trace, position: int) -> int:
    """The after-the-run diagram's rows: AFTER_WINDOW, or up to AFTER_GROWTH more when that
    keeps in view the first of the requests on the wire together at `position` (lesson 9's
    point is #2, #3 and #4 in flight at once: its window must not fold #2 away)."""
    together = sequence_marks.together_from(trace.events[:position])
    if together is None:
        return AFTER_WINDOW
    for rows in range(AFTER_WINDOW, AFTER_WINDOW + AFTER_GROWTH + 1):
        if sequence_marks.window(trace, position, rows).start <= together:
            return rows
    return AFTER_WINDOW


def moment_slides(trace: Trace | None) -> list[Slide]:
    if trace is None or not trace.events:
        return []
    moments = key_moments(trace)
    slides = [Slide("moment", headline(m.text), position=m.event + 1, notes=m.text) for m in moments]
    if not moments or moments[-1].event + 1 < len(trace.events):
        slides.append(Slide("moment", "The end of the run", position=len(trace.events)))
    return slides


def deck(lesson, trace: Trace | None, values: dict | None = None, short: dict | None = None) -> list[Slide]:
    values = values or {}
    short = kit_notes.slides(lesson.slug) if short is None else short
    about = f"About {lesson.minutes} minutes · experiment: `{lesson.scenario}`"
    out = [Slide("title", f"Lesson {lesson.number}: {lesson.title}", about)]
    analogy = _section("text", "The analogy", short.get("analogy"), lesson.section("Analogy"))
    if trace is not None and analogy_preview.scene_position(lesson, trace) > 0:  # its scene gives nothing away
        analogy[0] = replace(analogy[0], picture="analogy")
    out += analogy
    experiment = lesson_module.render(lesson.section("Experiment"), values)
    out += _section("text", "The experiment", short.get("experiment"), experiment)
    out += question_slides(lesson.prediction, "p", "Predict", "Reveal: your predictions", short.get("prediction"))
    out += moment_slides(trace)
    # After the prediction and the run: the mechanism explains what the room just saw.
    out += _section("text", "Mechanism", short.get("mechanism"), lesson.section("Mechanism"))
    after = lesson_module.render(lesson.section("After the run"), values)
    at = after_moment(trace, short.get("after_moment"))
    after_slides = _section("after", "After the run", short.get("after"), after)
    if at is not None:
        rows = after_window(trace, at.event + 1)
        after_slides = [replace(slide, position=at.event + 1, moment=at.kind, window=rows) for slide in after_slides]
    out += after_slides
    checks = short.get("check") if isinstance(short.get("check"), list) else []
    for i, check in enumerate(lesson.checks):
        written = checks[i] if i < len(checks) else None
        out += question_slides(check, f"c{i}", f"Check {i + 1}", f"Reveal: check {i + 1}", written)
    return out


def clamp(slide: int, count: int) -> int:
    """A 1-based slide number from a URL, kept inside the deck."""
    return max(1, min(int(slide), count))


def parse_slide(raw: str | None, count: int) -> int:
    from ui.views.query_values import whole_or_none  # the one reader of URL values

    number = whole_or_none(str(raw or ""), 0, 10**9)
    return 1 if number is None else clamp(number, count)


PROJECTOR_WINDOW = 9  # sequence-diagram rows on a slide: the current one stays in view
AFTER_WINDOW = 7  # fewer beside the stored log and the takeaways, so the slide fits 1280x800
AFTER_GROWTH = 3  # more rows an after-the-run diagram may take to show requests in flight together
