"""Wire inspector: what went over the wire in the learner's current playground run,
decoded, next to what was stored."""

import streamlit as st

from ui.widgets import backend_picker, wire_inspector

st.title("Wire inspector")
st.markdown(
    "Every request the producer sent and every answer it got, decoded — producer id, epoch, "
    "base sequence, offset — next to what the broker stored. Run it with librdkafka or the Java client to see "
    "how each numbers its batches."
)
wire_inspector.show(backend_picker.current())
