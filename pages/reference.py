"""Reference: settings, broker settings, errors and the glossary as searchable tables."""

import streamlit as st

from ui.widgets import reference_tables

st.title("Reference")
reference_tables.show()
