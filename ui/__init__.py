"""Streamlit helpers: the only place that knows both Streamlit and core."""
