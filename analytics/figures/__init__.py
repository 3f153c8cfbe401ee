"""Pure plotly figures: results in, go.Figure out, one style (style.py)."""
