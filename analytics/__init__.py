"""Gapsight's core, in wings: home and schema at the bottom, then ingest, store, insights, figures, export, demo (never imports streamlit or models)."""
