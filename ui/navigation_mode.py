"""Keep Streamlit in st.navigation mode although the project keeps a `pages/` folder.

Until some session has called st.navigation, Streamlit assumes the legacy pages/
mode and runs a directly opened page file on its own (no sidebar picker, the old
file-name menu).  Every page and app.py call this first: it switches the flag off
and reruns, so the entry point handles the URL.  (Private flag; see DESIGN.md and
streamlit-craft.md §1.1 on why pages/ is fragile.)
"""

import streamlit as st


def ensure() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
