"""Custom Streamlit components shipped as plain HTML/CSS/JS files (no build step, no CDN)."""
