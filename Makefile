# CampaignFlow developer tasks. `make run` and `make test` work from a fresh clone.
#
#   make run       venv + install, translations, migrate, static files, demo data, then serve
#   make test      lint, format check and the whole pytest suite (e2e tests need /usr/bin/chromium)
#   make lint      ruff check + ruff format --check
#   make worker    the background job consumer (Huey)
#   make bench     every benchmark in bench/ at quick sizes, one table against bench/baseline.json
#   make load      mixed-load test, 50 users for 10 s on a small generated organization (bench/load.py)
#   make messages  extract translatable strings into src/campaignflow/locale (zh_Hans, zh_Hant)
#   make clean     caches, build output, compiled translations and collected static files

SHELL := /bin/bash
PYTHON ?= python3
# The suite runs on every core (pytest-xdist); `make test PYTEST_ARGS="-n 0 tests/metrics"` runs it in one.
PYTEST_ARGS ?= -n auto
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
CF := $(BIN)/campaignflow
HOST ?= 127.0.0.1
PORT ?= 8000
PACKAGE_DIR := src/campaignflow
LINT_PATHS := $(wildcard src tests bench)

# SQLite database, uploads and the generated secret key live here unless set otherwise. Exported
# so that commands run from $(PACKAGE_DIR) (the translation commands) use the same directory.
ifeq ($(strip $(CAMPAIGNFLOW_DATA_DIR)),)
override CAMPAIGNFLOW_DATA_DIR := $(CURDIR)/var
endif
export CAMPAIGNFLOW_DATA_DIR

.PHONY: run test lint format worker messages compilemessages install clean distclean bench load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes (or the venv is new).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Runs from the package so Django looks for locale dirs there only, not through the whole venv.
compilemessages: $(VENV)/.installed
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "error: msgfmt (GNU gettext) is missing; install it with: sudo apt-get install gettext" >&2; \
	  exit 1; }
	@mkdir -p $(PACKAGE_DIR)/locale
	cd $(PACKAGE_DIR) && $(CF) compilemessages -v 0

run: compilemessages
	$(CF) migrate --noinput
	$(CF) collectstatic --noinput -v 0
	$(CF) demo
	$(CF) serve --host $(HOST) --port $(PORT)

worker: $(VENV)/.installed
	$(CF) migrate --noinput
	$(CF) worker

# Regressions beyond 1.5x the baseline are printed as warnings; only a benchmark that cannot run fails.
bench: $(VENV)/.installed
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# A few minutes on a busy machine, so not part of `make bench`. The full test (1,000 campaigns,
# 3.65 M daily rows, 60 s) is two commands; see bench/README.md. LOAD_ARGS="--duration 30" etc.
load: $(VENV)/.installed
	$(BIN)/python bench/load.py --quick $(LOAD_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(VENV)/.installed
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

test: compilemessages lint
	$(BIN)/pytest $(PYTEST_ARGS)

messages: $(VENV)/.installed
	cd $(PACKAGE_DIR) && $(CF) makemessages -l zh_Hans -l zh_Hant --ignore='.venv/*'

clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf
	rm -rf .pytest_cache .ruff_cache build dist src/*.egg-info test-results
	find $(PACKAGE_DIR)/locale -name '*.mo' -delete 2>/dev/null || true
	rm -rf "$(CAMPAIGNFLOW_DATA_DIR)/static"

# Also removes the virtualenv; the data directory (database, uploads, secret key) is never touched.
distclean: clean
	rm -rf $(VENV)
