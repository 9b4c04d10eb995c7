# Front Door. `make run` serves the portal on http://127.0.0.1:8000; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= frontdoor.settings

.PHONY: run test test-fast check lint format bench clean system-test-deps

$(VENV)/.installed: requirements.txt
	@PYTHON=$$(bin/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYTHON"; "$$PYTHON" -m venv $(VENV) || { \
	    echo "Could not create a virtual environment: install the venv module (Debian: apt-get install python3-venv)"; exit 1; }; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/build/frontdoor.css: node_modules/.installed assets/frontdoor.scss assets/build.mjs
	node assets/build.mjs

# A random key made once per checkout, never committed (.gitignore).
.secret_key:
	@$$(bin/find-python) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@
	@chmod 600 $@

run: $(VENV)/.installed static/build/frontdoor.css .secret_key
	@$(PY) -c 'import weasyprint' 2>/dev/null || { echo "PDF copies need Pango: install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)"; exit 1; }
	@$(PY) -c 'import magic' 2>/dev/null || { echo "Checking uploads needs libmagic (Debian: apt-get install libmagic1)"; exit 1; }
	@mkdir -p var
	@export SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}" HTTPS="$${HTTPS:-false}" \
	  EMAIL_URL="$${EMAIL_URL:-console://}" SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
	  WEBHOOKS_ALLOW_LOOPBACK="$${WEBHOOKS_ALLOW_LOOPBACK:-true}"; \
	if [ -z "$${CLAMD_ADDRESS:-}" ]; then export VIRUS_SCAN="$${VIRUS_SCAN:-off}"; fi; \
	set -e; \
	$(PY) manage.py migrate --no-input -v 0; \
	$(PY) manage.py createcachetable; \
	$(PY) manage.py load_teams; \
	$(PY) manage.py load_gazetteer --sample; \
	$(PY) manage.py collectstatic --no-input -v 0; \
	$(PY) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo; echo "Front Door is at http://127.0.0.1:$(PORT)/ - emails (with sign-in codes) are printed here."; \
	echo "Create a staff account: .venv/bin/python manage.py create_staff --help (with SECRET_KEY set: see README)"; \
	if [ "$${VIRUS_SCAN:-clamd}" = off ]; then echo "Uploaded documents are NOT scanned for viruses (no CLAMD_ADDRESS): the upload page says so."; fi; echo; \
	$(VENV)/bin/gunicorn frontdoor.wsgi --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) --workers 2 \
	  --access-logfile -

# Debian's Chromium drives the browser tests (Playwright cannot download its own here); the
# upload tests run a real clamd, and confirm hostile files with `file` and qpdf; Java runs the
# W3C HTML checker (vnu.jar, from npm) over the pages the browser tests visit.
TEST_PACKAGES := chromium fonts-dejavu-core poppler-utils clamav clamav-daemon qpdf file libmagic1 unzip default-jre-headless
system-test-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null || ! command -v clamd >/dev/null \
	    || ! command -v qpdf >/dev/null || ! command -v file >/dev/null || ! command -v zipinfo >/dev/null \
	    || ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; \
	  else echo "The tests need: sudo apt-get install $(TEST_PACKAGES)"; exit 1; fi; fi

# The test settings, whatever DJANGO_SETTINGS_MODULE says (pytest-django prefers it).
PYTEST := DJANGO_SETTINGS_MODULE=frontdoor.settings_test $(PY) -m pytest

test: $(VENV)/.dev-installed static/build/frontdoor.css system-test-deps
	$(PYTEST) $(PYTEST_ARGS)

# Everything but the browser tests.
test-fast: $(VENV)/.dev-installed static/build/frontdoor.css system-test-deps
	$(PYTEST) -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Lint, then the production settings as a council would run them (a throwaway key, and an
# SMTP server: the console email backend is for a laptop only).
check: lint static/build/frontdoor.css
	@export SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  EMAIL_URL="$${EMAIL_URL:-smtp://localhost:25}" CLAMD_ADDRESS="$${CLAMD_ADDRESS:-/run/clamav/clamd.ctl}" \
	  WEBHOOK_SECRET_KEY="$${WEBHOOK_SECRET_KEY:-$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')}"; set -ex; \
	$(PY) manage.py makemigrations --check --dry-run; \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: $(VENV)/.dev-installed
	$(PY) bench/run.py
	$(PY) bench/upload_memory.py
	$(PY) bench/inbox.py
	$(PY) bench/api.py

clean:
	rm -rf $(VENV) node_modules static/build staticfiles
