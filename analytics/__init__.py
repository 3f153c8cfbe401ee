"""Gapsight's core: ingestion, storage, statistics and figures (never imports streamlit)."""
