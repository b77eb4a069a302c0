"""Join a class: the instructor's code; then the lessons as usual, answers shared anonymously."""

import streamlit as st

from ui.widgets import class_join, progress

st.title("Join a class")
class_join.show(progress.answers(), progress.done())
