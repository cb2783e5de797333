# Keel — the two commands a newcomer needs:
#   make run    a working demo at http://127.0.0.1:8000 (SQLite, demo data, demo logins)
#   make test   the test suite (uses PostgreSQL / Redis on 127.0.0.1 when they answer)
# Everything else is a helper. `make help` lists the targets.
#
# Django 6 needs Python >= 3.12. PYTHON picks the interpreter that creates .venv; when unset,
# bin/find-python tries python3.13, python3.12, the pyenv builds, then python3.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
VENV_PY := $(VENV)/bin/python
# Stamps record that the venv holds what the requirements files ask for; editing any
# requirements file makes the next target reinstall.
RUNTIME_STAMP := $(VENV)/.keel-runtime.stamp
DEV_STAMP := $(VENV)/.keel-dev.stamp
REQUIREMENTS := $(wildcard requirements*.txt)
# axe-core (the browser tests' accessibility check) comes from npm: package-lock.json pins it,
# `npm ci` installs it into node_modules/ when the lock file is newer than this stamp. Only the
# tests need it; `make run` never needs node.
NODE_STAMP := node_modules/.keel-npm.stamp
PYTEST_ARGS ?=
# Production-like settings for `make check`.
DEPLOY_ENV = DEBUG=0 SECRET_KEY="$$($(VENV_PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=keel.example.com SECURE_SSL=1

.PHONY: help run test test-js lint format check migrations seed bench ci venv clean clean-venv

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# A venv that is missing, or whose interpreter is too old (say, made by python3.11), is
# (re)built; everything installed into it follows, since the stamps depend on it.
VENV_OK := $(shell $(VENV_PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && echo yes)
ifneq ($(VENV_OK),yes)
.PHONY: $(VENV_PY)
endif

$(VENV_PY):
	@py="$$(PYTHON='$(PYTHON)' bin/find-python)"; \
	rm -rf $(VENV); \
	echo "Creating $(VENV) with $$py ($$("$$py" --version))"; \
	"$$py" -m venv $(VENV)

venv: $(VENV_PY) ## Create .venv (if missing or too old) with a Python >= 3.12

$(RUNTIME_STAMP): requirements.txt $(VENV_PY)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV_STAMP): $(REQUIREMENTS) $(VENV_PY)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP) ## Migrate, seed the demo once, serve at http://127.0.0.1:8000 (HOST, PORT)
	bin/run-demo $(VENV_PY)

$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility (axe-core) browser tests will be skipped (apt install nodejs npm)"; \
	fi

test-js: $(NODE_STAMP) ## Install the browser tests' npm packages (axe-core) when package-lock.json changed

test: $(DEV_STAMP) $(NODE_STAMP) ## Run the tests (PYTEST_ARGS=...); finds PostgreSQL and Redis on 127.0.0.1
	$(VENV_PY) bin/test-env -- $(VENV_PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP) ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP) ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations: $(RUNTIME_STAMP) ## Fail if a model change has no migration
	DEBUG=1 $(VENV_PY) manage.py makemigrations --check --dry-run

check: migrations ## Migrations check plus `check --deploy` under production-like settings
	$(DEPLOY_ENV) $(VENV_PY) manage.py check --deploy --fail-level WARNING

seed: $(RUNTIME_STAMP) ## Rebuild the demo data: make seed SCALE=medium SEED=1 (deletes existing data!)
	DEBUG=1 $(VENV_PY) manage.py seed_demo --scale $(or $(SCALE),small) --seed $(or $(SEED),1) --reset

bench: $(DEV_STAMP) ## Run every benchmark script in bench/
	@shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; fi; \
	for script in "$${scripts[@]}"; do echo "== $$script"; DEBUG=1 $(VENV_PY) "$$script"; done

ci: ## Run the CI script locally (starts PostgreSQL and Redis if needed)
	bash .ci/run

clean: ## Remove caches and collected static files (keeps .venv and var/ data)
	rm -rf .pytest_cache .ruff_cache var/test var/static
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

clean-venv: ## Remove .venv (the next target recreates it)
	rm -rf $(VENV)
