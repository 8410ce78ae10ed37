# Okno developer entry points. `make run` and `make test` are the two commands of the README.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OKNO := $(VENV)/bin/okno
PG_URL ?= postgres://postgres@127.0.0.1:5432/okno
# Pure-logic modules: no Django import, checked with mypy --strict.
PURE := $(wildcard okno/sla/businesstime.py okno/sla/calendarfile.py okno/sla/calendar_import.py okno/sla/replay.py okno/alerts/formats.py okno/search/stemming.py okno/desk/macros.py okno/notifications/mentions.py okno/priority/scoring.py okno/mail/parse.py okno/mail/quotes.py okno/alerts/correlate.py)

.PHONY: run test lint unit unit-sqlite unit-postgres e2e services venv bench messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

run: venv
	$(OKNO) migrate --noinput
	$(OKNO) demo --if-empty
	$(OKNO) serve --with-worker --bind 127.0.0.1:8000

test: venv lint unit-sqlite unit-postgres e2e

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(if $(PURE),$(VENV)/bin/mypy $(PURE))
	OKNO_DATA_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run

services:
	bash scripts/services.sh

unit-sqlite: venv services
	OKNO_DATABASE_URL= $(VENV)/bin/pytest -m "not e2e" -n 2 -q

unit-postgres: venv services
	OKNO_DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -m "not e2e" -n 2 -q

e2e: venv services
	$(VENV)/bin/pytest -m e2e -q

messages: venv
	cd okno && ../$(PY) ../manage.py makemessages -l ru -l uk --no-obsolete --no-location
	cd okno && ../$(PY) ../manage.py compilemessages

# Benchmarks run on their own database next to PG_URL's (created when missing); size from
# OKNO_BENCH_TICKETS (default 100000). See docs/performance.md.
BENCH_URL ?= $(dir $(PG_URL))okno_bench

bench: venv services
	OKNO_DATABASE_URL=$(BENCH_URL) $(PY) -m bench $(BENCH)

.PHONY: bench-peer
bench-peer: venv services
	OKNO_DATABASE_URL=$(BENCH_URL) $(PY) -m bench.peer

clean:
	rm -rf $(VENV) var/test-*
