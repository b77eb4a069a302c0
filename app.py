"""Kafka Idempotence Lab: page config, navigation over pages/, the shared sidebar."""

import logging
from pathlib import Path

import streamlit as st

from ui.widgets import navigation_mode

navigation_mode.ensure()  # first, before the slow imports: see ui/widgets/navigation_mode.py
navigation_mode.close_stray_dialog()

from ui.views import safe  # noqa: E402
from ui.widgets import backend_picker, class_member, nav, progress, runs  # noqa: E402

# A bundled file, not an emoji or :material/…: icon (those load from a CDN that an
# offline workshop room cannot reach).
PAGE_ICON = str(Path(__file__).with_name(".streamlit") / "page_icon.png")
st.set_page_config(page_title="Kafka Idempotence Lab", page_icon=PAGE_ICON, layout="wide")

lessons, lesson_problem = runs.lessons()
page = st.navigation(nav.sections(lessons), expanded=True)
nav.remember(page)
progress.sync_from_url()
class_member.sync_from_url()
backend_picker.show()
if lesson_problem:
    st.sidebar.caption(lesson_problem)
try:
    page.run()
except Exception as exc:
    logging.getLogger("idemlab.app").exception("page %s failed", page.url_path)
    st.error(
        f"This page failed: {type(exc).__name__}: {safe.md(exc, 300)}. The rest of the lab still works; "
        "the server log has the details.",
        icon=":material/error:",
    )
