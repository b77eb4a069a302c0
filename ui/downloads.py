"""Take-away: the trace as CSV and JSON, and the equivalent producer code in Python
and Java, shown copyable with download buttons."""

from __future__ import annotations

import json

import streamlit as st

from idemlab import codegen, report
from idemlab.model import Scenario, Trace


def trace_json(trace: Trace) -> str:
    return json.dumps(report.to_dict(trace, include_events=True), indent=2, default=str)


def trace_csv(trace: Trace) -> str:
    return report.events_frame(trace).to_csv(index=False)


def show(trace: Trace, scenario: Scenario, key: str) -> None:
    st.subheader("Take it away")
    data_col, code_col = st.columns([1, 3])
    name = scenario.name or "run"
    with data_col:
        st.markdown("**This run**")
        st.download_button("Trace as CSV", data=trace_csv(trace), file_name=f"{name}-trace.csv",
                           mime="text/csv", on_click="ignore", key=f"{key}.dl.csv", icon=":material/download:")
        st.download_button("Trace as JSON", data=trace_json(trace), file_name=f"{name}-trace.json",
                           mime="application/json", on_click="ignore", key=f"{key}.dl.json",
                           icon=":material/download:")
    with code_col:
        python_code, java_code = codegen.python_producer(scenario), codegen.java_producer(scenario)
        st.markdown("**The same producer in your own code**")
        left, right = st.columns(2)
        left.download_button("producer.py (confluent-kafka)", data=python_code, file_name="producer.py",
                             mime="text/x-python", on_click="ignore", key=f"{key}.dl.py", icon=":material/code:")
        right.download_button("IdempotentProducerExample.java", data=java_code,
                              file_name="IdempotentProducerExample.java", mime="text/x-java", on_click="ignore",
                              key=f"{key}.dl.java", icon=":material/code:")
        # The code viewer's highlighter is a large script: load it only when asked for.
        code_box = st.expander("Show the code (copy button at its top right)", key=f"{key}.code", on_change="rerun")
        if code_box.open:
            with code_box:
                python_tab, java_tab = st.tabs(["Python (confluent-kafka)", "Java"])
                python_tab.code(python_code, language="python")
                java_tab.code(java_code, language="java")
