"""Keep Streamlit in st.navigation mode although the project keeps a `pages/` folder.

Until some session has called st.navigation, Streamlit assumes the legacy pages/
mode and runs a directly opened page file on its own (no sidebar picker, the old
file-name menu).  Every page and app.py call this first: it switches the flag off
and reruns, so the entry point handles the URL.  (Private flag; see DESIGN.md and
streamlit-craft.md §1.1 on why pages/ is fragile.)

The rerun keeps the page the browser asked for: on a fresh server the very first
session may open a deep link (/lesson-…); a plain st.rerun() would forget it and
land on Home.

That first legacy run has already told the browser "Page not found" for a URL only
st.navigation knows (the lesson pages), and Streamlit leaves that dialog open over the
right page (unless the rerun's queue reset dropped the message first: a race).  The
rerun therefore sends a small script that closes that dialog if it is there.  All this
happens at most once per server start, to its first visitor.
"""

import streamlit as st

_CLOSE_DIALOG = "nav.close_page_not_found"

CLOSE_PAGE_NOT_FOUND = """<script>
(() => {
  const close = () => {
    for (const dialog of document.querySelectorAll("[role=dialog]")) {
      const title = dialog.querySelector("h2");
      if (title && title.textContent.trim() === "Page not found") {
        dialog.querySelector("button[aria-label=Close]")?.click();
      }
    }
  };
  close();
  const watcher = new MutationObserver(close);
  watcher.observe(document.body, {childList: true, subtree: true});
  setTimeout(() => watcher.disconnect(), 15000);
})();
</script>"""


def ensure() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    st.session_state[_CLOSE_DIALOG] = True
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
        from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

        ctx = get_script_run_ctx()
        manager = ctx.pages_manager
        intended = RerunData(
            query_string=ctx.query_string,
            page_script_hash=manager.intended_page_script_hash or "",
            page_name=manager.intended_page_name or "",
            cached_message_hashes=ctx.cached_message_hashes,
            context_info=ctx.context_info,
        )
    except Exception:  # noqa: BLE001 - private API moved: fall back to a plain rerun
        st.rerun()
    raise RerunException(intended)


def close_stray_dialog() -> None:
    """In the run that follows a switch-off, close the legacy run's "Page not found"."""
    if st.session_state.pop(_CLOSE_DIALOG, False):
        st.html(CLOSE_PAGE_NOT_FOUND, unsafe_allow_javascript=True)
