"""The page files, one per page: a folder of its own, so that Streamlit's legacy pages/*.py glob finds none of them."""
