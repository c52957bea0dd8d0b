# bookclub: `make run` serves the demo club, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
FRONTEND_PORT ?= 5173
# The versions installed: pyproject.toml gives the ranges, requirements.lock
# the exact versions CI and `make install` take (`make lock` renews it).
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)

.PHONY: run test test-deep test-browser lint check install lock clean bench resilience frontend frontend-build qa-install lighthouse

# uv installs the locked versions into the venv: about 10 s where pip took
# 21 (both compiling bytecode, from a warm cache), and CI's suites wait for
# it. pip installs uv itself, at the version below.
UV := uv==0.13.9

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "$(UV)"
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode \
		--constraint $(LOCK) -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The newest versions pyproject.toml's ranges allow, installed in a scratch
# venv and written to requirements.lock; `make install` then takes them.
lock:
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-lock/bin/python -m pip install --quiet -e ".[test]"
	$(VENV)-lock/bin/python -m pip freeze --exclude-editable > $(LOCK)
	rm -rf $(VENV)-lock

# Short on purpose: the migrations are not listed one by one, the demo's emails
# go to var/demo-mail/ (the dev settings), and the admin login and the address
# are the last lines before the server's own.
run: $(STAMP)
	$(PY) manage.py migrate --no-input --verbosity 0
	WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py load_demo --port $(PORT)
	@echo "Serving the demo club on http://127.0.0.1:$(PORT)/ (admin at /admin/; 'make frontend' serves the API frontend)"
	@WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 for one process):
# each worker has its own test database and ports, and a file stays on one
# worker (--dist loadfile), so a file's module-scoped servers and content are
# built once. Files marked `slow` are handed out first, then the others by
# their number of tests (--no-loadscope-reorder keeps the order that
# tests/conftest.py gives), so no worker starts a long file last. Tests pass
# in any order (tests/README.md). Bytecode is kept even where the environment
# sets PYTHONDONTWRITEBYTECODE: otherwise every worker, and every server a
# test starts, compiles the project and rewrites the test modules' asserts
# anew (about 6 s per process).
TEST_WORKERS ?= auto

test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# The long searches for a failure that `make test` leaves out (tests marked
# `deep`: the API fuzz's coverage phase, about a minute of CPU); CI runs them.
DEEP_TESTS ?= tests/api

test-deep: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest --deep -m deep -n $(TEST_WORKERS) --dist loadfile $(DEEP_TESTS) $(PYTEST_ARGS)

# The browser tests all live in tests/browser/ (its conftest marks them
# `browser` and refuses the marker anywhere else), so only that folder is
# collected: collecting the whole suite for them took about 11 s of CPU.
# BROWSER_TESTS=tests/browser/test_editor.py runs one file.
BROWSER_TESTS ?= tests/browser

test-browser: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -m browser -n $(TEST_WORKERS) --dist loadfile $(BROWSER_TESTS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

# The HTML gates' tools from npm (needs Node.js and Java): the Nu HTML Checker,
# which tests/html runs when it is installed, and Lighthouse.
qa-install: qa/node_modules/.package-lock.json

qa/node_modules/.package-lock.json: qa/package-lock.json
	npm ci --prefix qa --no-audit --no-fund

# Lighthouse on every page type of the demo club; fails under 95 (qa/lighthouse.py).
lighthouse: $(STAMP) qa-install
	$(PY) qa/lighthouse.py $(LIGHTHOUSE_ARGS)

check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# Benchmarks against stock Wagtail and the static limit (docs/performance.md):
# BENCH_ARGS=--quick for a short run; DATABASE_URL=postgres://…/bookclub_bench adds PostgreSQL.
bench: $(STAMP)
	$(PY) -m benchmarks run $(BENCH_ARGS)

# Load, Redis-outage and PostgreSQL-restart scripts; RESILIENCE_ARGS=--short for CI.
resilience: $(STAMP)
	$(PY) -m benchmarks resilience all $(RESILIENCE_ARGS)

# The reference frontend (frontend/): its client is generated from the API's
# OpenAPI document. `make frontend` serves it on FRONTEND_PORT beside `make run`
# (node 20.19+ and npm); `make frontend-build` writes frontend/dist/.
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend/openapi.json: $(STAMP) frontend/node_modules/.package-lock.json FORCE
	$(PY) manage.py openapi_schema --verbosity 0 --output $@

frontend: frontend/openapi.json
	cd frontend && npm run generate && VITE_API_BASE=http://127.0.0.1:$(PORT) \
		npm run dev -- --port $(FRONTEND_PORT)

frontend-build: frontend/openapi.json
	cd frontend && npm run build

FORCE:

clean:
	rm -rf $(VENV) $(VENV)-lock db.sqlite3 var test-artifacts frontend/node_modules frontend/dist frontend/openapi.json
