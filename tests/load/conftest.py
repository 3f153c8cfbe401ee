"""Keep the load test out of every pytest run: it is a script (`python -m tests.load.load_test`), not a test."""
collect_ignore = ["load_test.py"]
