"""The bare Streamlit page benchmarks/load_server.py measures beside the lab: a title
and a small table, nothing else (the floor of what one rerun costs the server)."""

import streamlit as st

st.title("A bare page")
st.table({"letter": ["m1", "m2", "m3"], "offset": [0, 1, 2]})
st.button("Click")
