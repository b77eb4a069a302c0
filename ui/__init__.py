"""Streamlit-facing helpers.  Modules named *_figure or *_frame are pure (no streamlit);
the others are widgets that own their session_state keys."""
