"""Pure view builders: no streamlit import here (tests/app/test_views.py checks it)."""
