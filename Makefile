# The two commands: `make run` and `make test`. Everything they need, they install.
SHELL := /bin/bash
PORT ?= 5000
HOST ?= 127.0.0.1
PY := .venv/bin/python
FLASK := .venv/bin/flask --app app
# setuptools tells every editable install to beware of folders named like the package (a
# flat layout's imports come from the working directory anyway): not worth a new user's eye.
# Twice quiet: pip's warnings about the machine's own configuration (an index folder that is
# not there, say) are not the project's; its errors still show, and stop the install.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet --quiet

.PHONY: run test test-sqlite test-postgres bench assets install install-test system-deps clean

.venv/.installed: pyproject.toml
	@echo "Installing Tender and its dependencies into .venv (once; quietly)"
	@test -x $(PY) || python3 -m venv .venv
	@$(PIP) --upgrade pip
	@$(PIP) -e .
	@touch $@

.venv/.installed-test: .venv/.installed
	@echo "Installing the test dependencies into .venv (once; quietly)"
	@$(PIP) -e '.[test]'
	@touch $@

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

# The set-up's own output goes to instance/run-setup.log (shown only if a step fails); what is
# left is one block: the address and the demo logins. gunicorn serves (not the development
# server and its warning), its own lines only for warnings and errors.
run: install
	@mkdir -p instance
	@$(FLASK) db upgrade >instance/run-setup.log 2>&1 || { cat instance/run-setup.log; exit 1; }
	@$(FLASK) demo load >>instance/run-setup.log 2>&1 || { cat instance/run-setup.log; exit 1; }
	@$(FLASK) demo logins --url http://$(HOST):$(PORT)/
	@# the background jobs' consumer (procurement.jobs: Huey on SQLite in instance/), beside the server
	@.venv/bin/huey_consumer app.huey --workers 2 --logfile instance/jobs.log >/dev/null 2>&1 & consumer=$$!; \
	  trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	  .venv/bin/gunicorn --bind $(HOST):$(PORT) --workers 2 --timeout 120 \
		--log-level warning 'app:create_app()'

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
