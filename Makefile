# mestring: `make demo` runs the demo, `make test` runs the whole suite. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock 2>/dev/null | sha1sum | cut -c1-12)

.PHONY: demo test setup static lint check-ci browser worker

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Fant ikke $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP) static

static: frontend/package-lock.json
	bin/build-static

demo: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Server: http://127.0.0.1:8000 (Ctrl+C stopper)"
	$(BIN)/python manage.py runserver_with_worker 127.0.0.1:8000

browser:
	bin/ensure-chromium

test: setup browser
	bin/run-tests
