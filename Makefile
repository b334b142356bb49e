# imagerepo: `make run` serves the site, `make test` runs the tests.
# `make run` creates .venv with what the site needs (requirements.txt);
# `make test` adds the test and tool packages (requirements-dev.txt).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make run` is for this computer, `make serve` for the local network.
run: HOST ?= 127.0.0.1
serve: HOST ?= 0.0.0.0
# HOST:PORT for runserver and gunicorn, an IPv6 address in brackets (HOST=::1
# or HOST=[::1] alike).
BIND = $(if $(and $(findstring :,$(HOST)),$(if $(findstring [,$(HOST)),,x)),[$(HOST)],$(HOST)):$(PORT)

.PHONY: install install-dev run manage test test-scale serve lint format clean

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# On top of the run install, so `make run` after `make test` installs nothing.
$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt client/pyproject.toml
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# manage.py uses the development settings (DEBUG on, no secret key needed).
# They answer to localhost alone; on any other address they would show their
# debug pages and sign with a key anyone can read, so say what to use instead.
run: install
	@case "$(HOST)" in 127.*|localhost|::1|"[::1]") ;; *) echo "make run is \
	for this computer only (Django's debug pages, a secret key published in \
	this repository): to serve the household, use make serve." >&2;; esac
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py runserver $(BIND)

# Any manage.py command, as `make run` runs them: make manage ARGS="check".
# With ENV_FILE, the production settings in that file's environment, as
# `make serve`: make manage ENV_FILE=/etc/imagerepo/imagerepo.env ARGS="..."
manage: install
	@if [ -n "$(ENV_FILE)" ]; then \
		export DJANGO_SETTINGS_MODULE=imagerepo.settings.production; \
		set -a; . "$(ENV_FILE)"; set +a; \
	fi; \
	$(PY) manage.py $(ARGS)

test: install-dev
	# nginx runs deploy/nginx.conf for real in the deployment tests;
	# chromium runs the browser tests (Playwright drives Debian's build).
	scripts/ensure-apt-packages nginx-light chromium
	$(PY) -m pytest

# The whole suite again on real PostgreSQL and SeaweedFS (S3) servers, started
# on loopback ports 8710-8727 by scripts/scale-servers and stopped afterwards;
# the suite's own live servers use 8741 and 8770-8799. A second run on the same
# machine moves them all: make test-scale SCALE_BASE_PORT=9710 \
#   SCALE_E2E_PORT=9741 SCALE_TEST_PORTS=9770-9799
SCALE_BASE_PORT ?= 8710
SCALE_E2E_PORT ?= 8741
SCALE_TEST_PORTS ?= 8770-8799
test-scale: install-dev
	scripts/ensure-apt-packages postgresql nginx-light chromium
	IMAGEREPO_TEST_BACKENDS=postgresql,s3 SCALE_BASE_PORT=$(SCALE_BASE_PORT) \
		E2E_PORT=$(SCALE_E2E_PORT) IMAGEREPO_TEST_PORTS=$(SCALE_TEST_PORTS) \
		$(PY) scripts/scale-servers run -- $(PY) -m pytest

# Production server: gunicorn, workers from deploy/gunicorn.conf.py, the
# production settings. With nothing set it serves the local network on
# HOST:PORT, with a secret key it makes once (var/secret_key) and rate-limit
# counters every worker shares (the database cache's table). Deployment
# facts come from the environment, or from ENV_FILE (see
# deploy/imagerepo.env.example), which also says where gunicorn binds.
serve: install
	@export DJANGO_SETTINGS_MODULE=imagerepo.settings.production; \
	if [ -n "$(ENV_FILE)" ]; then set -a; . "$(ENV_FILE)"; set +a; \
	else export GUNICORN_BIND="$${GUNICORN_BIND:-$(BIND)}"; fi; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py createcachetable && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	exec $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py imagerepo.wsgi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
