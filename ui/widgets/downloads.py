"""Take-away: the trace as CSV and JSON, and the equivalent producer code in Python
and Java, shown copyable and as downloads."""

from __future__ import annotations

import json

import streamlit as st

from idemlab import codegen, report
from idemlab.model import Scenario, Trace


def trace_json(trace: Trace) -> str:
    return json.dumps(report.to_dict(trace, include_events=True), indent=2, default=str)


def trace_csv(trace: Trace) -> str:
    return report.to_csv(trace)


def show(trace: Trace, scenario: Scenario, key: str) -> None:
    """Folded until asked for: building the files and the code viewer's large script are
    then spent only on learners who want them."""
    box = st.expander(
        "Take it away: this run's trace (CSV, JSON) and this producer in Python or Java",
        key=f"{key}.takeaway",
        on_change="rerun",
        icon=":material/download:",
    )
    if not box.open:
        return
    name = scenario.name or "run"
    python_code, java_code = codegen.python_producer(scenario), codegen.java_producer(scenario)
    with box:
        buttons = st.columns(4)
        buttons[0].download_button(
            "Trace as CSV",
            data=trace_csv(trace),
            file_name=f"{name}-trace.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"{key}.dl.csv",
        )
        buttons[1].download_button(
            "Trace as JSON",
            data=trace_json(trace),
            file_name=f"{name}-trace.json",
            mime="application/json",
            on_click="ignore",
            key=f"{key}.dl.json",
        )
        buttons[2].download_button(
            "producer.py",
            data=python_code,
            file_name="producer.py",
            mime="text/x-python",
            on_click="ignore",
            key=f"{key}.dl.py",
        )
        buttons[3].download_button(
            "IdempotentProducerExample.java",
            data=java_code,
            file_name="IdempotentProducerExample.java",
            mime="text/x-java",
            on_click="ignore",
            key=f"{key}.dl.java",
        )
        st.caption("The code below sets up the same producer configuration; copy it with the button at its top right.")
        python_tab, java_tab = st.tabs(["Python (confluent-kafka)", "Java (the seed article's style)"])
        python_tab.code(python_code, language="python")
        java_tab.code(java_code, language="java")
