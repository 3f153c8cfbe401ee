"""Gapsight's pages (thin Streamlit views) and the glue they share."""
