"""Ingestion: encodings, dialects, readers, column mapping, value parsing and the import pipeline."""
