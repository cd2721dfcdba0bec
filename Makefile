# mtm-qc: `make demo` sets everything up and runs the demo; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
KOBO_PORT ?= 8765

.PHONY: install demo test lint lock clean screenshots

$(BIN)/.installed: requirements/dev.txt requirements/base.txt
	@test -n "$(PYTHON)" || (echo "Python 3.11+ is required (python3.11 or python3 on PATH)" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

# Chart.js from npm (pinned in package-lock.json), copied into static: no CDN, works offline.
CHARTJS := validation/static/vendor/chart.umd.min.js
# Without npm the demo still runs: the dashboards then show their tables without charts.
$(CHARTJS): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --loglevel=error && mkdir -p $(dir $@) && \
	  cp node_modules/chart.js/dist/chart.umd.min.js $@; \
	else echo "npm not found: the dashboards will show tables without charts"; fi

# The differential test's independent evaluator (Enketo's, in Node): npm ci from its lock file.
DIFF_NODE := tests/differential/node_modules/.installed
$(DIFF_NODE): tests/differential/package.json tests/differential/package-lock.json
	cd tests/differential && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# axe-core for the browser walk's accessibility check (pinned in package.json, same npm ci).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get install -y --no-install-recommends chromium \
	  || ($$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium)

install: $(BIN)/.installed $(CHARTJS) $(DIFF_NODE) $(AXE) $(CHROMIUM)

# The demo needs Python only (npm for the charts if present); the tests need everything.
demo: $(BIN)/.installed $(CHARTJS)
	$(BIN)/python manage.py run_demo --port $(PORT) --kobo-port $(KOBO_PORT)

# The whole suite runs on PostgreSQL and Redis (the e2e tests start a real Celery worker): the
# machine's own services unless DATABASE_URL / CELERY_BROKER_URL / REDIS_URL say otherwise.
test: install
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mtm}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/1}" \
	$(BIN)/pytest

# Each role's main pages at 1366x768 and 390x844, English and Russian, as PNGs in
# docs/screenshots/ (the browser walk over the demo data; same database defaults as make test).
screenshots: $(BIN)/.installed $(AXE) $(CHROMIUM)
	rm -f docs/screenshots/*.png
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mtm}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/1}" \
	MTM_SCREENSHOTS=$(CURDIR)/docs/screenshots \
	$(BIN)/pytest tests/integration/test_walk_browser.py -q || echo "(some pages fail the walk: listed above; their screenshots are written all the same)"
	@ls docs/screenshots/*.png | wc -l | xargs echo "screenshots written:"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

lock:
	uv pip compile --python-version 3.11 -q requirements/base.in -o requirements/base.txt
	uv pip compile --python-version 3.11 -q requirements/dev.in -o requirements/dev.txt

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
