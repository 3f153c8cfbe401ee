"""Load tests: many browser sessions against one server (run by hand, never collected by `make test`)."""
