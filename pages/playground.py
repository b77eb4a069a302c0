"""Playground: set up any experiment, run it, step through what happened."""

import streamlit as st

from idemlab.explain import explain
from idemlab.scenarios import ScenarioError
from ui.views import client_message, safe
from ui.views.playground_spec import CLIENT_LABELS, build
from ui.widgets import (
    backend_picker,
    current_run,
    downloads,
    playground_form,
    repeat_view,
    run_views,
    runs,
)

st.title("Playground")
for notice in playground_form.load_from_url():
    st.warning(notice, icon=":material/link_off:")
spec, problem = playground_form.setup()
try:
    scenario = build(spec)
except ScenarioError as exc:
    st.error(f"This set-up is not valid yet: {safe.md(exc, 400)}")
    st.stop()
playground_form.publish(spec)
if problem:
    st.error(
        f"The producer could not be created with this configuration, so nothing was sent. "
        f"{CLIENT_LABELS[spec.client]} says: {client_message.markdown(problem[1])}"
    )
    st.stop()

backend_picker.inline("pg")  # the sidebar's picker is below the page list on a laptop screen
backend = backend_picker.current()
result = runs.run(scenario, backend, ask_first="pg")
if result is None:
    st.info(
        f"Press the button to run this set-up on {runs.backend_label(backend)}. "
        "A real run takes a few seconds (the first one also starts the broker)."
    )
    st.stop()
if result.error:
    backend_picker.failure(result.error, "pg", retry=lambda: runs.forget(scenario, backend))
    st.stop()

trace = result.trace
current_run.remember(scenario, result)
current_run.caption(result)
for sentence in explain(trace):
    st.markdown(f"- {client_message.markdown(sentence, safe.SENTENCE_LIMIT)}")  # it may quote a client's message
start = st.session_state.pop("pg.position", None)
run_views.run(trace, "pg", start=start or 0, on_fault=playground_form.break_request)
repeat_view.show(scenario, backend, "pg")
downloads.show(trace, scenario, "pg")
