"""Wire inspector: what went over the wire in the learner's current playground run,
decoded, next to what was stored."""

import streamlit as st

from idemlab import scenarios
from ui import backend_picker, current_run, deeplink, engine, navigation_mode, wire_view
from ui.playground_spec import build, spec_for

navigation_mode.ensure()

st.title("Wire inspector")
st.markdown(
    "Every request the producer sent and every answer it got, decoded — producer id, epoch, "
    "base sequence, offset — next to what the broker stored."
)
backend = backend_picker.current()

pending = st.session_state.get("wire.pending")
if pending is not None:  # a run asked for on this page: run it, it becomes the current run
    result = engine.run_kept(pending, backend) if backend != engine.SIM else engine.run(pending)
    del st.session_state["wire.pending"]
    if result.error:
        backend_picker.failure(result.error, "wire", retry=lambda: engine.forget(pending, backend))
        st.stop()
    current_run.remember(pending, result)

current = current_run.get()
if current is None:
    st.info(
        "**No run yet.** The inspector shows your current playground run. Run an experiment in the "
        "playground, or pick a scenario here and run it.",
        icon=":material/cable:",
    )
    names = scenarios.available()
    cols = st.columns([3, 2], vertical_alignment="bottom")
    name = cols[0].selectbox(
        "Scenario", names, index=names.index("lost-ack") if "lost-ack" in names else 0, key="wire.scenario"
    )
    cols[1].button(
        f"Run it on {engine.backend_label(backend)}",
        key="wire.run",
        type="primary",
        icon=":material/play_arrow:",
        on_click=lambda: st.session_state.update({"wire.pending": build(spec_for(name))}),
    )
    st.page_link("pages/playground.py", label="Set up an experiment in the playground", icon=":material/science:")
    st.stop()

scenario, result = current
idem = "ON" if scenario.idempotent else "OFF"
st.markdown(f"**Run:** `{scenario.name}` — {scenario.title} · idempotence **{idem}**")
current_run.caption(result)
if result.backend != backend:
    cols = st.columns([3, 2], vertical_alignment="center")
    cols[0].info(
        f"The sidebar now says {engine.backend_label(backend)}; this run was made by "
        f"{engine.backend_label(result.backend)}.",
        icon=":material/swap_horiz:",
    )
    cols[1].button(
        f"Run it on {engine.backend_label(backend)}",
        key="wire.rerun",
        icon=":material/play_arrow:",
        on_click=lambda: st.session_state.update({"wire.pending": scenario}),
    )
if st.session_state.get("pg.ready"):
    st.page_link("pages/playground.py", label="Change the set-up in the playground", icon=":material/science:")
elif scenario.name in scenarios.available():
    st.page_link(
        "pages/playground.py",
        label="Open this scenario in the playground",
        icon=":material/science:",
        query_params=deeplink.encode(spec_for(scenario.name)),
    )
wire_view.show(result.trace)
