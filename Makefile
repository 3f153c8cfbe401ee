# Gapsight: `make run` opens the app on its generated demo data, `make test` runs the tests.
# Both create .venv and install the pinned requirements first (again only when they change).
# `make run PORT=8600` serves on another port.
PYTHON ?= python3
PORT ?= 8501
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run demo test bench e2e fuzz clean

$(INSTALLED): requirements.txt
	@echo "==> 1/3 Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> 2/3 Updating pip"
	$(PY) -m pip install --upgrade --progress-bar on pip
	@echo "==> 3/3 Installing the pinned packages (first time only: about 2.3 GB with the CPU build of torch,"
	@echo "        several GB more with the CUDA build; minutes, most of it downloading torch)"
	$(PY) -m pip install --progress-bar on -r requirements.txt
	@du -sh $(VENV) | sed 's/^/==> Installed: $(VENV) holds /'
	touch $(INSTALLED)

install: $(INSTALLED)

demo: install
	$(PY) -m analytics.demo.sample

run: demo
	$(PY) app.py --server.port $(PORT)

test: install
	$(PY) -m pytest

e2e: install
	$(PY) -m pytest tests/e2e

# The long fuzz run (10,000 generated files through the Data page's call chain); counts go to tests/bench/RESULTS.md.
fuzz: install
	$(PY) -m tests.fuzz.run --files 10000 --seed 1 --out fuzz-counts.json

bench: install
	$(PY) -m pytest tests/bench -s

clean:
	rm -rf $(VENV) data/.gapsight
