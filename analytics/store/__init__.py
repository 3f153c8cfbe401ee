"""DuckDB storage: datasets, predictions, registered models, labels and rating cuts."""
