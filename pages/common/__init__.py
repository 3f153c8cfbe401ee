"""Streamlit glue shared by the pages: session keys, cached loaders, frame, guards and widgets."""
