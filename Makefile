# Two set-up commands: `make up` (whole stack with demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: up down test lint install

$(STAMP): pyproject.toml
	@test -x $(PY) || { echo "[make] creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "[make] installing dependencies into $(VENV) (first run takes a few minutes)"
	$(PY) -m pip install --progress-bar on --upgrade pip
	$(PY) -m pip install --progress-bar on -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(PY) -m cluster up

down:
	@test -x $(PY) && $(PY) -m cluster down || echo "[make] nothing to stop"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test: $(STAMP) lint
	$(PY) -m pytest $(PYTEST_ARGS)
