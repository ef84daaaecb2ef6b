"""Helpers shared by the Streamlit pages (the only code besides pages/ that imports streamlit)."""
