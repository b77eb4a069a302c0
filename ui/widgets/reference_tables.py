"""The reference tables (settings, broker settings, errors, glossary) behind one filter,
every cell readable in full: plain HTML tables that wrap, headers in words.  The glossary
(idemlab.reference_data.glossary) comes first.  Owns session keys `ref.*`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from idemlab.reference_data import TABLES, glossary
from ui.views.html_table import html_table

HEADERS = {
    "librdkafka": "librdkafka (Python) name",
    "java": "Java name",
    "librdkafka_default": "librdkafka default",
    "java_default": "Java default",
    "with_idempotence": "with idempotence",
    "error_librdkafka": "librdkafka refuses with",
    "error_java": "Java refuses with",
    "kafka_name": "Kafka name",
    "ref": "source",
    "kafka": "Kafka term",
    "analogy": "in the mail room",
}


def _words(column: str) -> str:
    return HEADERS.get(column, column.replace("_", " "))


def _filtered(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    if not query:
        return frame
    return frame[frame.apply(lambda row: row.str.contains(query, case=False, regex=False).any(), axis=1)]


def show() -> None:
    query = st.text_input("Filter all tables", key="ref.filter", placeholder="e.g. acks, OUT_OF_ORDER, epoch")
    terms = pd.DataFrame({"term": list(glossary()), "what it means": list(glossary().values())}).astype("string")
    tables = {
        "Terms": terms,
        **{name: pd.DataFrame(rows).astype("string").fillna("—") for name, rows in TABLES.items()},
    }
    for tab, (name, frame) in zip(st.tabs(list(tables)), tables.items(), strict=True):
        with tab:
            shown = _filtered(frame, query)
            st.caption(f"{len(shown)} of {len(frame)} rows")
            shown = shown.rename(columns=_words)
            st.html(html_table(shown, caption=f"{name}, one row per entry"))
