"""Home: what the lab is, the path through the lessons, and where the learner is."""

import streamlit as st

from idemlab.lessons import scenario_for
from ui.views.snapshot import snapshot
from ui.widgets import nav, progress, run_views, runs

st.title("Kafka Idempotence Lab")
st.markdown(
    "Learn how Kafka's **idempotent producer** keeps retries from storing a message twice. "
    "Each lesson starts from a mail-room analogy — numbered letters, lost receipts, a post office "
    "that keeps a notebook — then lets you **predict, run and see** on a simulated broker "
    "(or a real one, from the sidebar)."
)
lessons, problem = runs.lessons()
if problem:
    st.error(problem)
hero = next((lesson for lesson in lessons if lesson.number == 2), None)
if hero is not None:
    shown = runs.run(scenario_for(hero))
    if shown.trace is not None and run_views.animated(shown.trace):
        st.caption(
            f"The mail room, playing lesson {hero.number}'s experiment: a receipt is lost, the letter is "
            "sent again, and the post office recognises it. Step through it, or press Play."
        )
        run_views.mailroom(snapshot(shown.trace, 0), shown.trace, "home.hero", autoplay=True)
done = set(progress.done())
next_lesson = next((lesson for lesson in lessons if lesson.number not in done), None)
if lessons:
    st.progress(
        len(done & {lesson.number for lesson in lessons}) / len(lessons),
        text=f"{len(done)} of {len(lessons)} lessons done",
    )
if next_lesson:
    st.page_link(
        nav.lesson_page(next_lesson),
        label=f"Continue: lesson {next_lesson.number}, {next_lesson.title}",
        icon=":material/arrow_forward:",
    )
elif lessons:
    st.success("All lessons done. Try your own experiments in the playground.")
st.subheader("The path")
for lesson in lessons:
    mark = "✓ done" if lesson.number in done else ("← you are here" if lesson is next_lesson else "")
    st.page_link(nav.lesson_page(lesson), label=f"{lesson.number}. {lesson.title} · {lesson.minutes} min  {mark}")
st.subheader("The lab")
st.page_link(
    "pages/playground.py", label="Playground — set up any experiment and step through it", icon=":material/science:"
)
st.page_link("pages/compare.py", label="Compare — idempotence off and on, side by side", icon=":material/compare:")
st.button("Reset my progress", on_click=progress.reset, key="home.reset_progress", icon=":material/restart_alt:")
