"""Files for people: spreadsheet-safe tables (and later the HTML report)."""
