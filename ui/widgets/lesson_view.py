"""One lesson: analogy (with the mail room), mechanism, the experiment — predict first,
then run and see — the check questions, and a link into the playground.
Owns session keys `lesson.<number>.*`; answers go through ui.widgets.progress."""

from __future__ import annotations

import streamlit as st

from idemlab import lessons as lesson_module
from idemlab.explain import explain
from idemlab.model import PRODUCE_CALLED
from idemlab.scenarios import ScenarioError
from ui.views import deeplink
from ui.views.playground_spec import normalise_producer, spec_for
from ui.views.snapshot import snapshot
from ui.widgets import backend_picker, cost_view, current_run, engine, progress, run_views, step_controls


def _render(lesson, heading: str, values: dict | None = None) -> None:
    text = lesson.section(heading)
    if text:
        st.markdown(lesson_module.render(text, values or {}))


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


def _feedback(question, choice: int) -> None:
    if question.is_correct(choice):
        st.success(f"Right. {question.explanation}", icon=":material/check_circle:")
    else:
        st.error(f"Not quite — the answer is “{question.correct}”. {question.explanation}", icon=":material/cancel:")


def playground_link(lesson) -> dict[str, str]:
    spec = spec_for(lesson.scenario)
    producer = {k: v for k, v in (lesson.overrides or {}).items() if "." in k}
    spec.producer.update(normalise_producer(producer))
    return deeplink.encode(spec)


def _analogy_moment(trace) -> int:
    """The first letter and its receipt: sets the scene without giving the answer away."""
    calls = [i for i, e in enumerate(trace.events, 1) if e.kind == PRODUCE_CALLED]
    return calls[1] - 1 if len(calls) > 1 else min(len(trace.events), 6)


def _experiment_text(lesson, backend: str) -> None:
    if cost_view.PLACEHOLDER not in lesson.placeholders:
        _render(lesson, "Experiment")
        return
    cost_view.measure_if_asked(backend)
    _render(lesson, "Experiment", {cost_view.PLACEHOLDER: cost_view.value()})
    cost_view.controls(backend)


def _experiment_result(
    scenario, backend: str, ran: bool, simulated: engine.RunResult, ns: str
) -> engine.RunResult | None:
    """The run the lesson shows: on the chosen back end once the learner ran it (a real
    run shows its progress, then is kept for this learner); None when it failed."""
    if backend == engine.SIM:
        return simulated
    if not ran and engine.kept(scenario, backend) is None:
        st.caption(
            f"Shown from the simulated broker. Press **Run the experiment** to run it on "
            f"{engine.backend_label(backend)}."
        )
        return simulated
    result = engine.run(scenario, backend)
    if result.error:
        backend_picker.failure(result.error, ns, retry=lambda: engine.forget(scenario, backend))
        return None
    return result


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
    simulated = engine.run(scenario)  # the analogy's picture; instant

    st.header("Analogy")
    _render(lesson, "Analogy")
    if simulated.trace is not None:
        st.caption(
            "The mail room of this lesson's experiment once its first letter is posted. What happens next is "
            "the experiment's question: you will step through it below."
        )
        run_views.mailroom(
            snapshot(simulated.trace, _analogy_moment(simulated.trace)), simulated.trace, f"lesson{n}.analogy"
        )
    st.header("Mechanism")
    _render(lesson, "Mechanism")
    st.header("Experiment")
    _experiment_text(lesson, backend)
    prediction = _question(lesson, "p", lesson.prediction, "Your prediction")
    ran_key = f"lesson.{n}.ran"
    st.button(
        "Run the experiment",
        key=f"lesson.{n}.run",
        type="primary",
        disabled=prediction is None,
        icon=":material/play_arrow:",
        help="Pick a prediction first.",
        on_click=lambda: st.session_state.update({ran_key: True}),
    )
    if prediction is None:
        st.caption("Make a prediction first; then run the experiment.")
        return
    ran = bool(st.session_state.get(ran_key))
    if not (ran or n in progress.done()):
        return
    result = _experiment_result(scenario, backend, ran, simulated, f"lesson{n}")
    if result is None:
        return
    if result.trace is None:
        st.error(result.error or "No run available.")
        return
    trace = result.trace
    current_run.caption(result)
    _feedback(lesson.prediction, prediction)
    for sentence in explain(trace):
        st.markdown(f"- {sentence}")
    step_controls.show(
        f"lesson{n}",
        engine.scenario_key(scenario) + result.backend,
        len(trace.events),
        lambda pos: run_views.all_views(snapshot(trace, pos), trace, f"lesson{n}"),
    )
    st.header("After the run")
    _render(lesson, "After the run", lesson_module.observed(trace))
    st.subheader("Check your understanding")
    answered = 0
    for i, check in enumerate(lesson.checks):
        choice = _question(lesson, f"c{i}", check, f"Question {i + 1}")
        if choice is not None:
            answered += 1
            _feedback(check, choice)
    if answered == len(lesson.checks) and n not in progress.done():
        progress.mark_done(n)
        st.toast(f"Lesson {n} done.", icon=":material/celebration:")
    if lesson.section("Going further"):
        with st.expander("Going further"):
            _render(lesson, "Going further")
    st.page_link(
        "pages/playground.py",
        label="Try it in the playground",
        icon=":material/science:",
        query_params=playground_link(lesson),
    )
