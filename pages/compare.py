"""Compare: the same scenario run twice, side by side."""

import streamlit as st

from ui.widgets import backend_picker, compare_view

st.title("Compare")
st.markdown(
    "Run one scenario twice and put the results next to each other: idempotence off and on, "
    "simulated and real, or librdkafka and the Java client on the same faults."
)
scenario, mode = compare_view.pick()
if scenario is not None:
    compare_view.show(scenario, mode, backend_picker.current())
