"""The one class store of this app process, as the operator configured it (environment
variables IDEMLAB_CLASS_*, or the same keys under [classroom] in Streamlit's secrets).
A visitor never chooses it."""

from __future__ import annotations

import os

import streamlit as st

from idemlab import classroom
from idemlab.classroom import ClassError, ClassStore

KEYS = (
    "IDEMLAB_CLASS_STORE",
    "IDEMLAB_CLASS_DB",
    "IDEMLAB_CLASS_KAFKA",
    "IDEMLAB_CLASS_TOPIC",
    "IDEMLAB_CLASS_KAFKA_CONFIG",
)


def _settings() -> dict[str, str]:
    found = {key: os.environ[key] for key in KEYS if os.environ.get(key)}
    try:
        section = st.secrets.get("classroom", {})
    except Exception:  # noqa: BLE001 - no secrets file is the normal case
        section = {}
    for key in KEYS:
        if key not in found and section.get(key):
            found[key] = str(section[key])
    return found


@st.cache_resource(show_spinner=False)
def _open(settings: tuple) -> tuple[ClassStore | None, str | None]:
    try:
        return classroom.open_store(dict(settings)), None
    except ClassError as exc:
        return None, str(exc)


def get() -> tuple[ClassStore | None, str | None]:
    """(the store, None) or (None, why it cannot be used)."""
    return _open(tuple(sorted(_settings().items())))
