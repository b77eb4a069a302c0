"""Reference: settings, broker settings, errors and the glossary as searchable tables."""

import pandas as pd
import streamlit as st

from idemlab.reference_data import TABLES
from ui import navigation_mode

navigation_mode.ensure()

st.title("Reference")
query = st.text_input("Filter all tables", key="ref.filter", placeholder="e.g. acks, OUT_OF_ORDER, epoch")
for tab, (name, rows) in zip(st.tabs(list(TABLES)), TABLES.items(), strict=False):
    with tab:
        frame = pd.DataFrame(rows).astype("string").fillna("—")
        if query:
            frame = frame[frame.apply(lambda row: row.str.contains(query, case=False, regex=False).any(), axis=1)]
        st.caption(f"{len(frame)} of {len(rows)} rows")
        st.dataframe(frame, hide_index=True, key=f"ref.{name}")
