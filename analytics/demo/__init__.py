"""The generated demo dataset: generator, phrase tables and first-start import."""
