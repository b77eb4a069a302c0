"""Kafka Idempotence Lab: the engine.  Never imports streamlit."""
