# Two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 5000
PYTEST_WORKERS ?= 2

.PHONY: serve run test test-browser lint format install install-prod db demo bench clean constraints

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 (Python 3.11+ required)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Production install: the built package (templates and static inside it) with its runtime
# dependencies only, at the tested versions; then `PROD_VENV/bin/flask --app marketplace …`.
PROD_VENV ?= .venv-prod
install-prod:
	$(PYTHON) -m venv $(PROD_VENV)
	$(PROD_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PROD_VENV)/bin/python -m pip install --quiet -c constraints.txt .

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load --if-empty

run: demo
	$(FLASK) search rebuild --if-missing
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production server: gunicorn with WEB_CONCURRENCY workers (gunicorn.conf.py) on
# DATABASE_URL, behind MARKETPLACE_TRUSTED_PROXIES proxies; HOST/PORT as for gunicorn.
serve: install
	$(FLASK) db upgrade
	$(FLASK) search rebuild --if-missing
	PORT=$${PORT:-8000} $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

# Only the real-browser tests (system Chromium; REQUIRE_BROWSER=1 fails instead of skipping).
test-browser: install
	$(BIN)/python -m pytest tests/browser -n $(PYTEST_WORKERS) -q

bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/pairing.py
	$(BIN)/python bench/search.py

# Record the versions of the venv the suite passed on (offline installs get the same ones).
constraints: install
	( echo "# pip freeze of the tested venv; make install uses it (pip install -c). Regenerate:"; \
	  echo "# make constraints (after make test passes)"; \
	  $(BIN)/python -m pip freeze --exclude-editable ) > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
