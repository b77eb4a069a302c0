"""Wire inspector: what went over the wire in a run, next to what was stored."""

import streamlit as st

from idemlab import scenarios
from ui import backend_picker, engine, navigation_mode, wire_view

navigation_mode.ensure()

st.title("Wire inspector")
names = scenarios.available()
name = st.selectbox("Scenario", names, index=names.index("lost-ack") if "lost-ack" in names else 0,
                    key="wire.scenario")
backend = backend_picker.current()
try:
    scenario = scenarios.load(name)
except scenarios.ScenarioError as exc:
    st.error(str(exc))
    st.stop()
result = engine.run_for_page(scenario, backend, "wire")
if result is None:
    st.stop()
if result.error:
    st.error(result.error)
    st.button("Use the simulated broker instead", on_click=backend_picker.use_simulated, key="wire.to_sim")
    st.stop()
wire_view.show(result.trace, simulated=result.backend == engine.SIM)
