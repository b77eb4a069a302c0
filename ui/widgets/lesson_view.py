"""One lesson: analogy (with the mail room), mechanism, the experiment — predict first,
then run and see — the check questions, and a link into the playground.
Owns session keys `lesson.<number>.*`; answers go through ui.widgets.progress."""

from __future__ import annotations

import streamlit as st

from idemlab import lessons as lesson_module
from idemlab import replay, scenarios
from idemlab.explain import explain
from idemlab.model import Trace
from idemlab.reference_data import glossary
from idemlab.scenarios import ScenarioError
from ui.components import mailroom as mailroom_component
from ui.components.mailroom import alt_text
from ui.views import analogy_preview, client_message, deeplink, glossary_terms, safe
from ui.views.playground_spec import normalise_producer, spec_for
from ui.widgets import backend_picker, class_member, cost_view, current_run, nav, progress, run_views, runs


def _render(lesson, heading: str, values: dict | None = None) -> None:
    """One section of the lesson's own text; glossary terms show their meaning on hover
    and focus (ui/views/glossary_terms.py)."""
    text = lesson.section(heading)
    if text:
        filled = lesson_module.render(text, values or {})
        st.html(glossary_terms.CSS)
        st.markdown(glossary_terms.annotate(filled, glossary()), unsafe_allow_html=True)


def _question(lesson, qid: str, question, label: str) -> int | None:
    key = f"lesson.{lesson.number}.{qid}"
    if key not in st.session_state:
        stored = progress.answer(lesson.number, qid)
        st.session_state[key] = (
            question.choices[stored] if stored is not None and stored < len(question.choices) else None
        )

    def save() -> None:
        choice = st.session_state[key]
        progress.set_answer(lesson.number, qid, None if choice is None else question.choices.index(choice))

    choice = st.radio(f"{label}: {question.question}", question.choices, index=None, key=key, on_change=save)
    return None if choice is None else question.choices.index(choice)


def _prediction(lesson) -> int | None:
    """The prediction radio.  Before the run it is free; running locks it (progress `p`);
    a change after the run is kept apart as a second try (progress `r`)."""
    n, question = lesson.number, lesson.prediction
    key = f"lesson.{n}.p"
    locked = progress.answer(n, "p")
    if key not in st.session_state:
        stored = progress.answer(n, "r") if progress.answer(n, "r") is not None else locked
        st.session_state[key] = (
            question.choices[stored] if stored is not None and stored < len(question.choices) else None
        )

    def save() -> None:
        choice = st.session_state[key]
        if progress.answer(n, "p") is not None and choice is not None:
            progress.set_answer(n, "r", question.choices.index(choice))

    choice = st.radio(f"Your prediction: {question.question}", question.choices, index=None, key=key, on_change=save)
    return None if choice is None else question.choices.index(choice)


def _lock_prediction(lesson) -> None:
    choice = st.session_state.get(f"lesson.{lesson.number}.p")
    if choice is not None and progress.answer(lesson.number, "p") is None:
        progress.set_answer(lesson.number, "p", lesson.prediction.choices.index(choice))
    st.session_state[f"lesson.{lesson.number}.ran"] = True


def _prediction_feedback(lesson) -> None:
    question, n = lesson.prediction, lesson.number
    first, second = progress.answer(n, "p"), progress.answer(n, "r")
    if first is None or class_member.withheld(question):  # in a class: the verdict waits for the reveal
        return
    if second is None or second == first:
        _feedback(question, first)
        return
    verdict = "right" if question.is_correct(first) else "not right"
    st.info(
        f"Your prediction before the run was “{question.choices[first]}”: {verdict}. You changed it after "
        "seeing the run; that is recorded as a second try.",
        icon=":material/history:",
    )
    _feedback(question, second, prefix="Second try: ")


def _feedback(question, choice: int, prefix: str = "") -> None:
    if class_member.withheld(question):  # in a class: the verdict waits for the reveal
        return
    if question.is_correct(choice):
        st.success(f"{prefix}Right. {question.explanation}", icon=":material/check_circle:")
    else:
        st.error(
            f"{prefix}Not quite — the answer is “{question.correct}”. {question.explanation}", icon=":material/cancel:"
        )


def playground_link(lesson) -> dict[str, str]:
    spec = spec_for(lesson.scenario)
    producer = {k: v for k, v in (lesson.overrides or {}).items() if "." in k}
    spec.producer.update(normalise_producer(producer))
    return deeplink.encode(spec)


@st.cache_data(max_entries=32, show_spinner=False)
def _preview(_trace: Trace, trace_key: str) -> tuple[dict, int]:
    """The run's own replay document, paused where the analogy's scene is set."""
    position = analogy_preview.pause_position(_trace)
    return analogy_preview.paused(replay.replay(_trace), position), position


def _analogy_picture(trace: Trace, n: int) -> None:
    document, position = _preview(trace, run_views.trace_key(trace))
    words = analogy_preview.caption(trace, position)
    if not words:
        return
    st.caption(words)
    mailroom_component.show(document, f"lesson{n}.analogy", autoplay=True)
    with st.expander("Show this picture as text"):
        st.markdown(alt_text.describe(document, position))


def _with_clicked_faults(scenario) -> tuple:
    """The lesson's scenario with the faults the learner set by clicking in the mail room
    (kept in the URL's `fault`, the playground's codec), and a phrase saying which."""
    raw = st.query_params.get("fault")
    if not raw:
        return scenario, ""
    try:
        faults = deeplink.faults_from_param(raw)
        data = scenarios.to_dict(scenario)
        data["fault"] = faults
        broken = scenarios.from_dict(data, source=scenario.source, name=scenario.name)
    except (ValueError, ScenarioError) as exc:
        st.warning(f"Ignored the link's fault ({safe.md(exc)}); showing the lesson's own experiment.")
        return scenario, ""
    return broken, ", ".join(deeplink.fault_to_token(f) for f in faults) or "no fault at all"


def _break(scenario, fault: dict) -> None:
    faults = deeplink.with_fault(scenarios.to_dict(scenario).get("fault", []), fault)
    st.query_params["fault"] = deeplink.faults_param(faults)


def _unbreak() -> None:
    if "fault" in st.query_params:
        del st.query_params["fault"]


def _experiment_text(lesson, backend: str) -> None:
    if cost_view.PLACEHOLDER not in lesson.placeholders:
        _render(lesson, "Experiment")
        return
    cost_view.measure_if_asked(backend)
    _render(lesson, "Experiment", {cost_view.PLACEHOLDER: cost_view.value()})
    cost_view.controls(backend)


def _run_here(n: int) -> None:
    st.session_state[f"lesson.{n}.ran"] = True


def _experiment_result(scenario, backend: str, n: int, simulated: runs.RunResult, ns: str) -> runs.RunResult | None:
    """The run the lesson shows: on the chosen back end once the learner ran it in this
    session (a real run shows its progress, then is kept for this learner); after a
    refresh a real run is not repeated by itself: the simulated one is shown, with one
    click to run it again.  None when it failed."""
    if backend == runs.SIM:
        return simulated
    if not st.session_state.get(f"lesson.{n}.ran") and runs.kept(scenario, backend) is None:
        where = runs.backend_label(backend)
        st.info(
            f"Your run on {where} is not kept when the page reloads, and a real run never starts by itself. "
            f"Shown from the simulated broker until you run it again."
            if progress.ran(n)
            else f"Shown from the simulated broker until you run it on {where}.",
            icon=":material/info:",
        )
        st.button(
            f"Run it on {where}", key=f"{ns}.run_real", icon=":material/play_arrow:", on_click=_run_here, args=(n,)
        )
        return simulated
    result = runs.run(scenario, backend)
    if result.error:
        backend_picker.failure(result.error, ns, retry=lambda: runs.forget(scenario, backend))
        return None
    return result


def done_words(number: int, verdicts: list[bool | None]) -> tuple[bool, str]:
    """(all right, the words under the checks): how many checks were right and which to look
    at again, so "done" never reads as "all right" after wrong answers.  A verdict is None
    when its answer is not known (the lesson was marked done in an earlier session)."""
    known = [right for right in verdicts if right is not None]
    if len(known) < len(verdicts) or not verdicts:
        return True, f"Lesson {number} done."
    wrong = [str(i) for i, right in enumerate(verdicts, 1) if not right]
    if not wrong:
        return True, f"Lesson {number} done. All {len(verdicts)} checks right."
    again = f"question {wrong[0]}" if len(wrong) == 1 else "questions " + ", ".join(wrong[:-1]) + f" and {wrong[-1]}"
    return (
        False,
        f"Lesson {number} done. {len(known) - len(wrong)} of {len(verdicts)} checks right: look again at {again}.",
    )


def _done_message(lesson, verdicts: list[bool | None]) -> None:
    """In the page, under the checks, not a toast over it: what is done, how well, and where next."""
    following = [other for other in runs.lessons()[0] if other.number > lesson.number]
    all_right, words = done_words(lesson.number, verdicts)
    if all_right:
        st.success(words, icon=":material/celebration:")
    else:
        st.info(words, icon=":material/task_alt:")
    if following:
        st.page_link(
            nav.lesson_page(following[0]),
            label=f"Next: lesson {following[0].number}, {following[0].title}",
            icon=":material/arrow_forward:",
        )


def show(lesson, backend: str) -> None:
    n = lesson.number
    st.title(f"Lesson {n}: {lesson.title}")
    st.caption(
        f"About {lesson.minutes} minutes · scenario `{lesson.scenario}`" + (" · ✓ done" if n in progress.done() else "")
    )
    try:
        scenario = lesson_module.scenario_for(lesson)
    except ScenarioError as exc:
        st.error(f"This lesson's scenario cannot be loaded: {exc}")
        return
    simulated = runs.run(scenario)  # the analogy's picture; instant

    st.header("Analogy")
    _render(lesson, "Analogy")
    if simulated.trace is not None and analogy_preview.pictured(lesson):  # not where the prediction asks how it starts
        _analogy_picture(simulated.trace, n)
    st.header("Experiment")
    _experiment_text(lesson, backend)
    prediction = _prediction(lesson)
    ran_key = f"lesson.{n}.ran"
    backend_picker.inline(f"lesson{n}")
    st.button(
        "Run the experiment",
        key=f"lesson.{n}.run",
        type="primary",
        disabled=prediction is None,
        icon=":material/play_arrow:",
        help=(
            "Pick a prediction first. Running locks it: a change afterwards counts as a second try."
            if prediction is None
            else "Running locks your prediction: a change afterwards counts as a second try."
        ),
        on_click=_lock_prediction,
        args=(lesson,),
    )
    if prediction is None:
        st.caption("Make a prediction first; then run the experiment.")
        return
    if not (st.session_state.get(ran_key) or progress.ran(n) or n in progress.done()):
        return  # the run is shown once it happened: in this session, or before a refresh (the URL says)
    scenario, broken = _with_clicked_faults(scenario)
    if broken:
        simulated = runs.run(scenario)
    result = _experiment_result(scenario, backend, n, simulated, f"lesson{n}")
    if result is None:
        return
    if result.trace is None:
        st.error(result.error or "No run available.")
        return
    trace = result.trace
    current_run.caption(result, scenario.client)
    _prediction_feedback(lesson)
    if broken:
        st.info(
            f"You broke this run yourself: {broken}. The prediction above is about the lesson's own experiment.",
            icon=":material/build:",
        )
        st.button("Back to the lesson's experiment", key=f"lesson.{n}.unbreak", on_click=_unbreak)
    for sentence in explain(trace):
        st.markdown(f"- {client_message.markdown(sentence, safe.SENTENCE_LIMIT)}")  # it may quote a client's message
    if run_views.animated(trace):
        st.caption(
            "Step through the run moment by moment (tick “every event” for each step), or press Play. "
            "Click a letter or receipt in the post to lose it or have it answered with an error."
        )
    run_views.run(trace, f"lesson{n}", start=0, on_fault=lambda fault: _break(scenario, fault))
    # The mechanism explains the run; shown before the prediction it would give the answer away.
    st.header("Mechanism")
    _render(lesson, "Mechanism")
    st.header("After the run")
    _render(lesson, "After the run", lesson_module.observed(trace))
    st.subheader("Check your understanding")
    verdicts: list[bool | None] = []
    for i, check in enumerate(lesson.checks):
        choice = _question(lesson, f"c{i}", check, f"Question {i + 1}")
        verdicts.append(None if choice is None else check.is_correct(choice))
        if choice is not None:
            _feedback(check, choice)
    if None not in verdicts and n not in progress.done():
        progress.mark_done(n)
    if n in progress.done():
        _done_message(lesson, verdicts)
    if lesson.section("Going further"):
        with st.expander("Going further"):
            _render(lesson, "Going further")
    st.page_link(
        "pages/playground.py",
        label="Try it in the playground",
        icon=":material/science:",
        query_params=playground_link(lesson),
    )
