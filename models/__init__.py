"""Gapsight's transformer and lexicon models (never imports streamlit)."""
