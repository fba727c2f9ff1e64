# Two set-up commands: `make up` (whole stack with demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: up down test lint install traffic

$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "[make] creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "[make] installing dependencies into $(VENV) (first run takes a few minutes)"
	$(PY) -m pip install --progress-bar on --upgrade pip
	$(PY) -m pip install --progress-bar on -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(PY) -m cluster up

# Optional: two minutes of simulated players (50 devices, ad breaks and every beacon, time
# compressed 20x) against the stack `make up` started, so the dashboard has delivery to show.
TRAFFIC_HOST ?= http://127.0.0.1:8000
traffic: $(STAMP)
	BENCH_TIME_SCALE=0.05 $(VENV)/bin/locust -f bench/locustfile.py --host $(TRAFFIC_HOST) \
		--users 50 --spawn-rate 10 --run-time 2m --headless

down:
	@test -x $(PY) && $(PY) -m cluster down || echo "[make] nothing to stop"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test: $(STAMP) lint
	$(PY) -m pytest $(PYTEST_ARGS)
