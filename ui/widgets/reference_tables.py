"""The reference tables (settings, broker settings, errors, glossary) behind one filter.
Owns session keys `ref.*`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from idemlab.reference_data import TABLES


def show() -> None:
    query = st.text_input("Filter all tables", key="ref.filter", placeholder="e.g. acks, OUT_OF_ORDER, epoch")
    for tab, (name, rows) in zip(st.tabs(list(TABLES)), TABLES.items(), strict=True):
        with tab:
            frame = pd.DataFrame(rows).astype("string").fillna("—")
            if query:
                frame = frame[frame.apply(lambda row: row.str.contains(query, case=False, regex=False).any(), axis=1)]
            st.caption(f"{len(frame)} of {len(rows)} rows")
            st.dataframe(frame, hide_index=True, key=f"ref.{name}")
