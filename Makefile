# Two commands do all set-up on a fresh machine:
#   make demo   - the Auth site with Member Audit, the fake EVE server and seeded data
#   make test   - ruff, the package build, and the whole suite on SQLite and on MariaDB + Redis

PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin
# Debian packages: the demo needs what builds mysqlclient (a dependency of Alliance Auth) and a
# venv; the browser tests also need chromium.
APT_PACKAGES = python3-venv python3-dev gcc libmariadb-dev pkg-config
TEST_APT_PACKAGES = chromium
REDIS_URL ?= redis://127.0.0.1:6379
PYTEST_ARGS ?= -n 2 --dist loadgroup --durations=15

.PHONY: demo test messages lint build-check django-checks test-sqlite test-mysql test-crash system-packages test-system-packages \
	venv vendor clean

# Installs missing Debian packages when run as root, else names them and stops.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Please install these Debian packages first (as root): apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

system-packages:
	$(call apt_install,$(APT_PACKAGES))

test-system-packages: system-packages
	$(call apt_install,$(TEST_APT_PACKAGES))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q -U pip wheel

$(VENV)/.installed: $(BIN)/python setup.py
	$(BIN)/pip install -q -e ".[test]"
	touch $@

venv: system-packages $(VENV)/.installed vendor

# jQuery, Bootstrap, Font Awesome and Chart.js for the test Auth project: Alliance Auth loads them from a
# CDN, which is not reachable offline. Skipped (the CDN is used) when npm is missing.
VENDOR_DIR = testauth/run/vendor
VENDOR_PACKAGES = jquery@3.7.1 bootstrap@5.3.3 @fortawesome/fontawesome-free@6.6.0 chart.js@4.4.1

vendor: $(VENDOR_DIR)/.installed-2

$(VENDOR_DIR)/.installed-2:
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(VENDOR_DIR) && \
	  npm install --silent --no-audit --no-fund --no-save --prefix $(VENDOR_DIR) $(VENDOR_PACKAGES) && \
	  touch $@; \
	else echo "npm not found: the test Auth project will load jQuery and Bootstrap from the CDN"; fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

build-check: venv
	$(BIN)/python -m build --wheel --outdir $(VENV)/dist . >/dev/null
	$(BIN)/python .ci/check_wheel.py $(VENV)/dist

test-sqlite: venv test-system-packages
	TESTAUTH_DATABASE=sqlite $(BIN)/pytest -m "not worker" $(PYTEST_ARGS)

test-mysql: venv test-system-packages
	TESTAUTH_DATABASE=mysql TESTAUTH_REDIS_URL=$(REDIS_URL) $(BIN)/pytest -m "not crash" $(PYTEST_ARGS)

# Crash and outage tests with real workers (kill -9, killed database connections, a Redis
# restart): minutes each, and the Redis on $(REDIS_URL) is restarted. Not part of make test.
test-crash: venv test-system-packages
	TESTAUTH_DATABASE=mysql TESTAUTH_REDIS_URL=$(REDIS_URL) $(BIN)/pytest -m crash

# Django's and Alliance Auth's system checks against a real Redis; no model change lacks a migration.
django-checks: venv
	TESTAUTH_REDIS_URL=$(REDIS_URL) $(BIN)/python testauth/manage.py check
	TESTAUTH_REDIS_URL=$(REDIS_URL) $(BIN)/python testauth/manage.py makemigrations --check --dry-run

test: lint build-check django-checks test-sqlite test-mysql

demo: venv
	$(BIN)/python testauth/demo.py

# Refresh the message catalogue after changing user-facing texts (the source language).
MESSAGES_IGNORE = -i .venv -i testauth -i benchmarks -i "build/*" -i "memberaudit/tests/*"
messages: venv
	TESTAUTH_REDIS_URL=$(REDIS_URL) $(BIN)/python testauth/manage.py makemessages -l en --no-obsolete $(MESSAGES_IGNORE)
	TESTAUTH_REDIS_URL=$(REDIS_URL) $(BIN)/python testauth/manage.py compilemessages -l en $(MESSAGES_IGNORE)

clean:
	rm -rf $(VENV) testauth/run build dist *.egg-info
