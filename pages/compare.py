"""Compare: the same scenario run twice, side by side."""

import streamlit as st

from ui.widgets import backend_picker, compare_view

st.title("Compare")
st.markdown("Run one scenario twice and put the results next to each other.")
scenario, mode = compare_view.pick()
if scenario is not None:
    compare_view.show(scenario, mode, backend_picker.current())
