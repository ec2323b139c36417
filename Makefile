# The two commands of the README: `make run` (embedded default) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "tipline needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## migrate, seed demo data, serve web + jobs on http://127.0.0.1:5000
	$(BIN)/tipline run

test: $(STAMP)  ## start PostgreSQL/Redis if needed, then run every test
	bin/ensure-services
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tipline workers tests bench migrations
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format tipline workers tests bench migrations

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
