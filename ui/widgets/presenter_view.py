"""Presenter view: a lesson as slides in large type for a projector, moved with buttons,
the arrow keys or a clicker (PageUp/PageDown).  The lesson and the slide live in the URL
(`/presenter?lesson=<slug>&slide=<n>`, n from 1; `&class=<code>&key=<key>` for a live
class, from the instructor's control link), so a refresh or a shared link opens exactly
there.  A reveal slide shows the class's answers live; the right answer waits for a
separate key (S, for "show"; A–D name the options): in a class that key also releases
the learners' verdicts.  Each slide holds a few words (a question slide a short version of the lesson's question); the
lesson's own prose is in the speaker notes below it, a reveal's only once it is shown.
Owns session keys `present.*`."""

from __future__ import annotations

import contextlib

import streamlit as st

from idemlab import classroom, replay
from idemlab.classroom import ClassError
from idemlab.explain import explain
from idemlab.model import Trace
from ui.components import mailroom as mailroom_component
from ui.components.mailroom import alt_text
from ui.views import analogy_preview, presenter_deck, presenter_style
from ui.views.presenter_deck import Slide
from ui.views.sequence_html import sequence_html
from ui.views.snapshot import snapshot
from ui.widgets import class_results, class_store, cost_view, run_views

# Not A–D (the options' letters), nor R or C (Streamlit's rerun and clear-cache keys).
SHOW_ANSWER_KEY = "S"

VIEWS = ["Mail room", "Sequence diagram", "Stored log"]

# Keys work as soon as the page opens: nothing that swallows arrow keys keeps the focus
# (the lesson picker after a choice, a link clicked on the previous page), and a
# presentation clicker's PageDown/PageUp move like → and ←.  Streamlit's own shortcut
# handler (hotkeys on the document) does the arrows.  The slide number in the comment
# makes the script run again after every move.
FOCUS_AND_CLICKER = """<script>
/* slide %(slide)s */
(() => {
  const active = document.activeElement;
  if (active && active !== document.body && !active.closest("[data-testid=stSidebar]")) { active.blur(); }
  window.focus();
  if (window.__idlClicker) return;
  window.__idlClicker = true;
  document.addEventListener("keydown", (event) => {
    if (!location.pathname.endsWith("/presenter")) return;
    const target = event.target;
    if (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
    const key = {PageDown: "next", PageUp: "prev"}[event.key];
    if (!key) return;
    const button = document.querySelector(`.st-key-present-${key} button`);
    if (button) { event.preventDefault(); button.click(); }
  });
})();
</script>"""


def _lesson_from_url(lessons: list):
    slug = st.query_params.get("lesson", "")
    return next((lesson for lesson in lessons if lesson.slug == slug), None)


def chosen_lesson(lessons: list):
    """The lesson to present: the URL's when it names one the session has not shown yet
    (a link, a refresh), else the one picked last; the first lesson otherwise."""
    ss = st.session_state
    from_url = _lesson_from_url(lessons)
    written = ss.get("present.written")
    url_pair = (st.query_params.get("lesson", ""), st.query_params.get("slide", ""))
    if from_url is not None and url_pair != written:
        ss["present.lesson"] = from_url.slug
        ss["present.slide_from_url"] = url_pair[1]
    slugs = [lesson.slug for lesson in lessons]
    if ss.get("present.lesson") not in slugs:
        ss["present.lesson"] = slugs[0]
    return next(lesson for lesson in lessons if lesson.slug == ss["present.lesson"])


def class_code() -> str:
    """The live class whose join card the title slide shows (`?class=` in the URL)."""
    code = class_results.normal_code(st.query_params.get("class", "") or st.session_state.get("present.class", ""))
    if code:
        st.session_state["present.class"] = code
    return code


def class_key() -> str:
    """The instructor's key from the control link (`?key=`): it shows the class's answers and reveals."""
    key = classroom.model.valid_key(st.query_params.get("key", "") or st.session_state.get("present.key", ""))
    if key:
        st.session_state["present.key"] = key
    return key


def _hosting(code: str, key: str):
    """The store when `key` controls the class `code`, else None."""
    store, _problem = class_store.get()
    if not code or store is None:
        return None
    try:
        store.hosted(code, key)
    except ClassError:
        return None
    return store


def _write_url(slug: str, slide: int, code: str, key: str = "") -> None:
    wanted = {"lesson": slug, "slide": str(slide)}
    if code:
        wanted["class"] = code
    if code and key:
        wanted["key"] = key
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state["present.written"] = (slug, str(slide))


def _go(by: int, count: int) -> None:
    st.session_state["present.slide"] = max(1, min(count, st.session_state.get("present.slide", 1) + by))


def _pick_lesson(titles: dict) -> None:
    st.session_state["present.lesson"] = titles[st.session_state["present.pick"]]
    st.session_state["present.slide"] = 1


def _controls(lessons: list, lesson, index: int, count: int) -> None:
    titles = {f"{item.number}. {item.title}": item.slug for item in lessons}
    current = next(title for title, slug in titles.items() if slug == lesson.slug)
    if st.session_state.get("present.pick") != current:
        st.session_state["present.pick"] = current
    cols = st.columns([3, 1, 1, 2], vertical_alignment="center")
    cols[0].selectbox(
        "Lesson to present",
        list(titles),
        key="present.pick",
        on_change=_pick_lesson,
        args=(titles,),
        label_visibility="collapsed",
    )
    cols[1].button("◀ Previous", on_click=_go, args=(-1, count), shortcut="Left", key="present.prev", width="stretch")
    cols[2].button(
        "Next ▶", on_click=_go, args=(1, count), shortcut="Right", key="present.next", width="stretch", type="primary"
    )
    cols[3].markdown(f"Slide {index} of {count} · keys ← → (or a clicker)")


def show(lessons: list, lesson, trace, backend: str = "sim") -> None:
    code, key = class_code(), class_key()
    values = {cost_view.PLACEHOLDER: cost_view.value()} if cost_view.PLACEHOLDER in lesson.placeholders else {}
    deck = presenter_deck.deck(lesson, trace, values)
    ss = st.session_state
    if "present.slide_from_url" in ss:
        ss["present.slide"] = presenter_deck.parse_slide(ss.pop("present.slide_from_url"), len(deck))
    index = presenter_deck.clamp(ss.get("present.slide", 1), len(deck))
    ss["present.slide"] = index
    _write_url(lesson.slug, index, code, key)
    _controls(lessons, lesson, index, len(deck))
    slide = deck[index - 1]
    with st.container(key=f"present-slide-{slide.kind}"):  # one screen: presenter_style sizes it
        if slide.kind == "title":
            _title(slide, code)
        elif slide.kind == "text":
            _text(slide, trace)
        elif slide.kind == "question":
            _question(lesson, slide, code, key)
        elif slide.kind == "reveal":
            _reveal(lesson, slide, code, key)
        elif slide.kind == "moment":
            _moment(slide, trace)
        else:
            _after(slide, trace)
    if slide.kind != "reveal" or _shown(lesson, slide.question, code, key):  # a reveal's notes hold the answer
        _speaker_notes(slide, trace)
    # Last, so their empty boxes add no gap above the slide.
    st.html(presenter_style.CSS)
    st.html(FOCUS_AND_CLICKER % {"slide": f"{lesson.slug}/{index}"}, unsafe_allow_javascript=True)
    if slide.picture or slide.kind in ("moment", "after"):
        st.html(presenter_style.FIT, unsafe_allow_javascript=True)


def _speaker_notes(slide: Slide, trace) -> None:
    notes = slide.notes
    if slide.picture == "analogy" and trace is not None:
        words = analogy_preview.caption(trace, analogy_preview.pause_position(trace))
        notes = f"**The picture:** {words}\n\n{notes}"
    if slide.kind == "after" and trace is not None:
        notes = "**What happened** (generated from this run):\n\n" + "\n".join(f"- {s}" for s in explain(trace))
        notes += "\n\n" + slide.notes
    if notes:
        with st.expander("Speaker notes"):
            st.markdown(notes)


def _title(slide: Slide, code: str) -> None:
    st.title(slide.title)
    st.markdown(slide.body)
    if code:
        class_results.join_banner(code)


def _text(slide: Slide, trace) -> None:
    st.header(slide.title)
    st.markdown(slide.body)
    if slide.picture == "analogy" and trace is not None:
        with st.container(key="present-picture"):
            _analogy_picture(trace)


@st.cache_data(max_entries=32, show_spinner=False)
def _analogy_document(_trace: Trace, trace_key: str) -> tuple[dict, int]:
    """The run's own replay, paused where the lesson page pauses its analogy picture."""
    position = analogy_preview.pause_position(_trace)
    return analogy_preview.paused(replay.replay(_trace), position), position


def _analogy_picture(trace: Trace) -> None:
    document, position = _analogy_document(trace, run_views.trace_key(trace))
    mailroom_component.show(document, "present.analogy", autoplay=True, large=True)
    with st.expander("The picture in words"):
        st.markdown(alt_text.describe(document, position))


def _question(lesson, slide: Slide, code: str, key: str) -> None:
    st.header(slide.title)
    st.markdown(slide.body)
    if _hosting(code, key) is not None:
        class_results.counter(code, f"{lesson.number}.{slide.question}")
        st.caption("Answer on your own screen, in the lesson page: pick, then press Run the experiment.")


def _shown(lesson, qid: str, code: str, key: str) -> bool:
    store = _hosting(code, key)
    if store is not None:
        with contextlib.suppress(ClassError):
            return f"{lesson.number}.{qid}" in store.revealed(code)
        return False
    return f"{lesson.slug}.{qid}" in st.session_state.get("present.shown", set())


def _show_answer(lesson, qid: str, code: str, key: str) -> None:
    store = _hosting(code, key)
    if store is not None:
        try:
            store.reveal(code, key, f"{lesson.number}.{qid}")  # the learners' verdicts appear now
        except ClassError as exc:
            st.session_state["present.problem"] = str(exc)
        return
    st.session_state["present.shown"] = st.session_state.get("present.shown", set()) | {f"{lesson.slug}.{qid}"}


def _reveal(lesson, slide: Slide, code: str, key: str) -> None:
    st.header(slide.title)
    hosting = _hosting(code, key) is not None
    if hosting:
        class_results.reveal(code, lesson.number, slide.question, slide.choices)
    elif code:
        st.caption(f"Class {code}'s answers show only from the instructor's presenter link (Instructor kit).")
    if problem := st.session_state.pop("present.problem", None):
        st.error(problem)
    shown = _shown(lesson, slide.question, code, key)
    if not hosting and not shown:  # with a class, its chart lists the options; once shown, they are marked
        st.markdown(presenter_deck.options_markdown(slide.choices))
    if not shown:
        what = "Show the answer to the room and release the learners' verdicts" if hosting else "Show the answer"
        with st.container(key="present-show-answer"):  # large, for a presenter to hit (presenter_style)
            st.button(
                f"{what} (press the {SHOW_ANSWER_KEY} key)",
                key="present.show_answer",
                on_click=_show_answer,
                args=(lesson, slide.question, code, key),
                shortcut=SHOW_ANSWER_KEY,
                icon=":material/visibility:",
                type="primary",
            )
        return
    with st.container(key="present-answer"):
        if hosting:  # the class chart above lists the options: the answer is named under it
            st.markdown(slide.body)
        else:
            st.markdown(presenter_deck.answer_markdown(slide.choices, slide.answer))
        if slide.why:
            st.markdown(slide.why)


def _moment(slide: Slide, trace) -> None:
    snap = snapshot(trace, slide.position)
    st.header(slide.title)
    where, which = st.columns([3, 2], vertical_alignment="center")
    where.caption(f"{step_words(snap.position, len(trace.events))} · **{snap.outcome.sentence()}**")
    view = which.segmented_control("View", VIEWS, default=VIEWS[0], key="present.view", label_visibility="collapsed")
    with st.container(key="present-picture"):
        if view == "Sequence diagram":
            st.html(_diagram(trace, slide.position))
        elif view == "Stored log":
            run_views.stored_log(snap.stored, "present")
        else:
            run_views.mailroom(snap, trace, "present", large=True)


def step_words(position: int, total: int) -> str:
    """The run's counter in the lesson page's word: the mail room's stepper counts steps."""
    return f"Step {position} of {total}"


def _diagram(trace, position: int, window: int = presenter_deck.PROJECTOR_WINDOW) -> str:
    """The projector's sequence diagram: the last few rows ending at the current event (so
    it is never below the fold), in large type; the same HTML drawing as the pages'."""
    return sequence_html(trace, position, window=window, large=True)


def _after(slide: Slide, trace) -> None:
    st.header(slide.title)
    st.markdown(slide.body)
    if trace is not None and trace.events:
        snap = snapshot(trace)
        with st.container(key="present-fit"):  # a long log or long rows: smaller type, on one screen
            left, right = st.columns([5, 4], gap="large")
            total = len(trace.events)
            with left:
                if slide.position and slide.position < total:  # the takeaways speak of the whole run's log
                    st.markdown(f"**At the end of the run** ({step_words(total, total).lower()}):")
                run_views.stored_log(snap.stored, "present.after")
            with right:
                position = slide.position or total
                st.markdown(f"**Sequence diagram**, {_diagram_stop(slide, position, total)}")
                st.html(_diagram(trace, position, slide.window or presenter_deck.AFTER_WINDOW))


def _diagram_stop(slide: Slide, position: int, total: int) -> str:
    """Where the after-the-run slide's diagram stops: the key moment its takeaways speak of."""
    if slide.moment:
        return f"up to the key moment ({slide.moment.replace('_', ' ')}): {step_words(position, total).lower()}"
    return "the last events"
