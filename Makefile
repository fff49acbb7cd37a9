# mestring: `make demo` runs the demo, `make test` runs the whole suite. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock 2>/dev/null | sha1sum | cut -c1-12)

.PHONY: demo test setup static browser

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" || { echo "mestring trenger Python 3.11 (fant $(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
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
