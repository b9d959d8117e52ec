# Two entry points, both self-contained on a fresh machine with Python 3.11:
#   make demo   -> serve examples/site/ on http://127.0.0.1:8000/
#   make test   -> lint, type-check and run the whole test suite
# Each creates .venv/ on first use and reinstalls only when pyproject.toml changes.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell sha1sum pyproject.toml | cut -c1-12)
STAMP  := $(VENV)/.installed-$(HASH)
# The demo only serves a folder: the server and the two compression libraries, not the
# test and benchmark tools. A full install (STAMP) covers it too.
DEMO_STAMP := $(VENV)/.installed-demo-$(HASH)

.PHONY: demo test lint bench system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	rm -f $(VENV)/.installed-*
	touch $@ $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[serve,brotli,zstd]'
	rm -f $(VENV)/.installed-demo-*
	touch $@

system-deps:
	bash scripts/system-deps.sh

demo: $(DEMO_STAMP)
	$(BIN)/pinknoise serve examples/site --host 127.0.0.1 --port 8000 --compress

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/mypy

test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -p no:cacheprovider
	$(BIN)/python benchmarks/run.py --quick

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
