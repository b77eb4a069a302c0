"""The Streamlit side of the lab, in two kinds of module:

- ui/views/: pure functions of a trace or a snapshot (HTML, figures, row colours, the
  link codec).  They never import streamlit, so they are tested like the engine.
- ui/widgets/: components that draw with streamlit and own their session_state keys
  (`show(key) -> value`); pages call these and nothing else of streamlit's state.
"""
