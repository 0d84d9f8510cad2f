# The two commands: `make run` and `make test`. Everything they need, they install.
SHELL := /bin/bash
PORT ?= 5000
HOST ?= 127.0.0.1
PY := .venv/bin/python
FLASK := .venv/bin/flask --app app

.PHONY: run test test-sqlite test-postgres bench assets install install-test system-deps clean

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

.venv/.installed-test: .venv/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: .venv/.installed assets
install-test: .venv/.installed-test assets

# GOV.UK Frontend (styles, scripts, images) and axe-core, from npm, served locally: no CDN.
static/govuk/.copied: package.json
	npm install --no-audit --no-fund --loglevel=error
	rm -rf static/govuk static/vendor && mkdir -p static/govuk static/vendor
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images node_modules/govuk-frontend/dist/govuk/assets/manifest.json static/govuk/
	cp node_modules/axe-core/axe.min.js static/vendor/
	touch $@

assets: static/govuk/.copied

run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	@$(FLASK) demo logins
	@# the background jobs' consumer (procurement.jobs: Huey on SQLite in instance/), beside the server
	@.venv/bin/huey_consumer app.huey --workers 2 --logfile instance/jobs.log & consumer=$$!; \
	  trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

# Debian's PostgreSQL and Chromium for the PostgreSQL run and the browser tests.
system-deps:
	@tools/system-deps

test: install-test system-deps
	@echo "== test suite on SQLite =="
	$(PY) -m pytest -p no:cacheprovider
	@echo "== test suite on PostgreSQL =="
	tools/with-postgres $(PY) -m pytest -p no:cacheprovider -m "not browser"

test-sqlite: install-test
	$(PY) -m pytest -p no:cacheprovider

bench: install
	$(PY) -m bench

clean:
	rm -rf .venv node_modules static/govuk static/vendor instance
