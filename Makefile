# Gapsight: `make run` opens the app on its generated demo data, `make test` runs the tests.
# Both create .venv and install the pinned requirements first (again only when they change).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run demo test bench e2e clean

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

install: $(INSTALLED)

demo: install
	$(PY) -m analytics.demo.sample

run: demo
	$(VENV)/bin/streamlit run app.py

test: install
	$(PY) -m pytest

e2e: install
	$(PY) -m pytest tests/e2e

bench: install
	$(PY) -m pytest tests/bench -s

clean:
	rm -rf $(VENV) data/.gapsight
