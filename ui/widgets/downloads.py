"""Take-away: the trace as CSV and JSON, and the run's producer code in its own client's
language next to the other client's equivalent, shown copyable and as downloads."""

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
        st.caption(caption(scenario))
        programs = [
            (python_label(scenario), python_code, "python"),
            (java_label(scenario), java_code, "java"),
        ]
        if codegen.runs_on_java(scenario):
            programs.reverse()  # the run's own client first
        for tab, (_label, code, language) in zip(st.tabs([p[0] for p in programs]), programs, strict=True):
            tab.code(code, language=language)


def python_label(scenario: Scenario) -> str:
    if codegen.runs_on_java(scenario):
        return "Python (confluent-kafka): the librdkafka equivalent"
    return "Python (confluent-kafka): this run's producer"


def java_label(scenario: Scenario) -> str:
    if codegen.runs_on_java(scenario):
        return "Java (kafka-clients): this run's producer"
    return "Java (kafka-clients): the equivalent"


def caption(scenario: Scenario) -> str:
    own, other = ("Java", "confluent-kafka") if codegen.runs_on_java(scenario) else ("Python", "Java")
    return (
        f"This run used the {own} program, with exactly these producer settings; the {other} one is its "
        "equivalent in that client's names. Copy either with the button at its top right."
    )
