"""Streamlit components, each owning its session_state keys.

Every page imports from here, so this is where the app makes sure Streamlit runs in
st.navigation mode although the project keeps a `pages/` folder: on a fresh server the
first visitor may open a page file directly, and the switch (once per process, see
navigation_mode.py) must happen before that page draws anything.  app.py calls it too,
as the entry point; no page has to.
"""

from ui.widgets import navigation_mode

navigation_mode.ensure()
