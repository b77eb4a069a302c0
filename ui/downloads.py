"""Take-away: the trace as CSV and JSON, and the equivalent producer code in Python
and Java, shown copyable with download buttons."""

from __future__ import annotations

import json

import streamlit as st

from idemlab import codegen
from idemlab.model import Scenario, Trace
from ui import tables_frame


def trace_json(trace: Trace) -> str:
    try:
        from idemlab import report
        data = report.to_dict(trace, include_events=True)
    except ImportError:
        data = {"scenario": trace.scenario, "backend": trace.backend, "config": trace.config,
                "events": [e.to_dict() for e in trace.events], "stored": [r.to_dict() for r in trace.stored],
                "deliveries": [d.to_dict() for d in trace.deliveries], "fatal_error": trace.fatal_error,
                "run_error": trace.run_error}
    return json.dumps(data, indent=2, default=str)


def trace_csv(trace: Trace) -> str:
    try:
        from idemlab import report
        frame = report.events_frame(trace)
    except ImportError:
        frame = tables_frame.events_frame(trace.events)
    return frame.to_csv(index=False)


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
        python_tab, java_tab = st.tabs(["Python (confluent-kafka)", "Java"])
        with python_tab:
            code = codegen.python_producer(scenario)
            st.code(code, language="python")
            st.download_button("Download producer.py", data=code, file_name="producer.py", mime="text/x-python",
                               on_click="ignore", key=f"{key}.dl.py")
        with java_tab:
            code = codegen.java_producer(scenario)
            st.code(code, language="java")
            st.download_button("Download IdempotentProducerExample.java", data=code,
                               file_name="IdempotentProducerExample.java", mime="text/x-java",
                               on_click="ignore", key=f"{key}.dl.java")
