# Professional Consultation Line assistant.
#   make run    set up what is missing, train if the assistant changed, start the stack
#   make test   set up what is missing and run every test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Rasa's usage telemetry and error reporting would send data off the machine: off in every
# command. (Error reporting is also disabled at install time by removing Rasa's key file.)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)
# This kind of machine sets PYTHONDONTWRITEBYTECODE=1, so every process would compile the
# project's modules again and pytest would rewrite every test module's asserts again (about 4 s
# at the start of each of make test's workers). Bytecode goes to the git-ignored __pycache__.
unexport PYTHONDONTWRITEBYTECODE

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
# Rasa's command line with skops imported before TensorFlow (rasa_ext/__main__.py: about 8 s less
# CPU for every Rasa process that loads or trains a model); STOCK_RASA for the rest.
RASA := $(RASA_VENV)/bin/python -m rasa_ext
STOCK_RASA := $(RASA_VENV)/bin/rasa
PIP_VERSION := 24.0

# Rasa 3.6 needs Python 3.10: python3.10 on PATH if it really runs, else pyenv's.
PYTHON310 = $(shell for p in python3.10 $$(pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10; do \
  "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
PYTHON311 ?= python3

hash = $(shell cat $(1) | sha256sum | cut -c1-12)
APP_STAMP := $(VENV)/.installed-$(call hash,requirements/app.lock)
RASA_STAMP := $(RASA_VENV)/.installed-$(call hash,requirements/rasa.lock)
# The model depends on everything Rasa reads when it trains, and on the Rasa it runs on (not on
# rasa_ext/__main__.py, which only orders Rasa's imports).
MODEL_INPUTS := config.yml domain.yml requirements/rasa.lock $(shell find data -type f -name '*.yml' | sort) \
  $(filter-out rasa_ext/__main__.py,$(wildcard rasa_ext/*.py)) bot/domain/harm_signals.py bot/adapters/harm_phrases.py bot/harm_phrases.yml
MODEL_HASH := $(call hash,$(wildcard $(MODEL_INPUTS)))
MODEL := models/pcl-$(MODEL_HASH).tar.gz
export PCL_MODEL := $(MODEL)

export PCL_RASA_PORT ?= 5005
export PCL_ACTION_SERVER_PORT ?= 5055
export PCL_API_PORT ?= 8000
export PCL_ACTION_SERVER_URL ?= http://127.0.0.1:$(PCL_ACTION_SERVER_PORT)
export PCL_RASA_URL ?= http://127.0.0.1:$(PCL_RASA_PORT)

.PHONY: help setup run migrate dev-tokens test test-unit test-e2e test-stories lint train validate eval lock clean

help:
	@echo "make run    start the assistant (web chat http://127.0.0.1:$(PCL_API_PORT)/chat)"
	@echo "make test   run every test"
	@echo "also: setup train validate lint migrate test-unit test-stories test-e2e lock clean"

setup: $(APP_STAMP) $(RASA_STAMP)

$(APP_STAMP): requirements/app.lock
	@$(PYTHON311) -c 'import sys; assert sys.version_info[:2] >= (3, 11), sys.version' \
	  || { echo "The project needs Python 3.11 as '$(PYTHON311)'." >&2; exit 1; }
	@echo "==> Installing the Python 3.11 environment ($(VENV)) from requirements/app.lock"
	@test -x $(PY) || $(PYTHON311) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==$(PIP_VERSION)
	@$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements/app.lock \
	  | { grep -vE '^(Requirement already satisfied|Looking in)' || true; }
	@$(PY) -m pip check >/dev/null
	@rm -f $(VENV)/.installed-*
	@touch $@

$(RASA_STAMP): requirements/rasa.lock
	@test -n "$(PYTHON310)" || { echo "Rasa 3.6 needs Python 3.10, which was not found (as python3.10 or under pyenv)." \
	  "Install it, e.g. 'pyenv install 3.10.13' or your system's python3.10 package, then run make again." >&2; exit 1; }
	@echo "==> Installing Rasa 3.6.21 into $(RASA_VENV) on $(PYTHON310) (about 2.7 GB; 2-3 minutes)"
	@rm -rf $(RASA_VENV)
	@$(PYTHON310) -m venv $(RASA_VENV)
	@$(RASA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==$(PIP_VERSION)
	@$(RASA_VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar on -r requirements/rasa.lock \
	  | { grep -vE '^(Requirement already satisfied|Looking in)' || true; }
	@# Rasa reports errors to Sentry whenever this key file exists, whatever the environment says.
	@rm -f $(RASA_VENV)/lib/python3.10/site-packages/rasa/keys
	@touch $@

train: $(MODEL)

$(MODEL): $(RASA_STAMP) $(wildcard $(MODEL_INPUTS))
	@echo "==> Training the assistant (data, domain or config changed): $(MODEL)"
	@mkdir -p models
	@$(RASA) train --fixed-model-name pcl-$(MODEL_HASH) --out models --quiet
	@find models -name 'pcl-*.tar.gz' ! -name 'pcl-$(MODEL_HASH).tar.gz' -delete

var/dev.env: | $(APP_STAMP)
	@mkdir -p var
	@umask 077 && $(PY) -c 'import secrets; from bot.adapters.crypto import generate_key; \
	  print("PCL_RASA_TOKEN=" + secrets.token_urlsafe(32)); print("PCL_HMAC_KEY=" + secrets.token_urlsafe(32)); \
	  print("PCL_ENCRYPTION_KEYS=" + generate_key()); print("PCL_BLIND_INDEX_KEY=" + generate_key())' > $@
	@echo "==> Generated development secrets in $@"

# Secrets added since a development environment file was first generated.
DEV_TOKENS := PCL_RASA_API_TOKEN PCL_ACTION_SERVER_TOKEN
dev-tokens: var/dev.env
	@umask 077 && for name in $(DEV_TOKENS); do grep -q "^$$name=" var/dev.env || \
	  $(PY) -c 'import secrets, sys; print(sys.argv[1] + "=" + secrets.token_urlsafe(32))' "$$name" >> var/dev.env; done

run: setup $(MODEL) var/dev.env dev-tokens
	@echo "==> Starting Rasa (:$(PCL_RASA_PORT)), the action server (:$(PCL_ACTION_SERVER_PORT)) and the API (:$(PCL_API_PORT)); Ctrl-C stops all three"
	@echo "    Web chat:    http://127.0.0.1:$(PCL_API_PORT)/chat"
	@echo "    Staff pages: http://127.0.0.1:$(PCL_API_PORT)/irt"
	@echo "    Health:      http://127.0.0.1:$(PCL_API_PORT)/healthz"
	@# Settings default to production; `make run` is the development stack.
	@PCL_ENV=development $(VENV)/bin/honcho --no-prefix -f Procfile -e var/dev.env start

# The database migrations, with the migration login (PCL_MIGRATION_DATABASE_URL, else
# PCL_DATABASE_URL): in production the API's login cannot migrate (docs/production.md).
migrate: $(APP_STAMP)
	@$(PY) -m api.migrate

validate: $(RASA_STAMP)
	@echo "==> rasa data validate"
	@$(STOCK_RASA) data validate --quiet  # loads no model: skops first would only cost

# Trains on data/nlu only and reports intent macro-F1 and the harm recall (classifier, phrase
# net, both) on held-out messages (docs/nlu-pipeline.md). EVAL_ARGS="--strict" fails on a
# missed target.
EVAL_ARGS ?=
# Every held-out file, in version order, so a new blind set needs no edit here.
HELDOUT = $(shell ls -v tests/nlu/heldout*.yml 2>/dev/null)
eval: $(RASA_STAMP) $(APP_STAMP)
	@$(PY) scripts/eval_nlu.py $(addprefix --heldout ,$(HELDOUT)) $(EVAL_ARGS)

lint: $(APP_STAMP)
	@echo "==> ruff and the layer contracts"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports --no-cache

# pytest-xdist's workers, each taking a whole file at a time, so a file's own stack and fixtures
# start once. Four on two cores, because the end-to-end tests spend much of their time waiting
# on the stack: pytest took 19 min serially, 9.0 min with 3 workers and 7.5 min with 4 (docs/benchmarks.md).
PYTEST_WORKERS ?= 4
test: setup $(MODEL) validate test-stories lint
	@echo "==> pytest ($(PYTEST_WORKERS) workers)"
	@$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The dialogue's rules against every flow in tests/test_stories.yml; results under var/.
test-stories: $(MODEL)
	@echo "==> rasa test core (tests/test_stories.yml)"
	@$(RASA) test core --stories tests/test_stories.yml --fail-on-prediction-errors \
	  --model $(MODEL) --out var/results/core --no-plot --quiet

test-unit: $(APP_STAMP)
	@$(PY) -m pytest tests/unit

test-e2e: setup $(MODEL)
	@$(PY) -m pytest tests/e2e

lock:
	@echo "Regenerate a lock: install the .in file into a new venv, then pip freeze > the .lock"

clean:
	rm -rf $(VENV) $(RASA_VENV) models .rasa

# --- The web chat's front end and the browser tests ----------------------------------------
# govuk-frontend and the Sass compiler come from package-lock.json (npm ci, stamped on the
# lock's hash) and are built into api/static/govuk/ (git-ignored). The browser tests drive
# Debian's chromium: they skip, saying why, when it is missing, except under CI=true or
# PCL_REQUIRE_SERVICES=1, where they fail.
.PHONY: frontend browser test-browser clean-frontend
NODE_STAMP := node_modules/.installed-$(call hash,package-lock.json)
FRONTEND_SOURCES := $(sort $(wildcard api/styles/*.scss))
FRONTEND_STAMP := api/static/govuk/.built-$(call hash,package-lock.json $(FRONTEND_SOURCES))
CHROMIUM := /usr/bin/chromium

run: frontend
test: frontend browser
clean: clean-frontend

frontend: $(FRONTEND_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "The web chat's assets need Node.js 18 or later with npm" \
	  "(e.g. your system's nodejs and npm packages). Install it, then run make again." >&2; exit 1; }
	@echo "==> Installing the front-end packages from package-lock.json (npm ci)"
	@# --ignore-scripts: nothing here needs an install script (only sass's optional file watcher has one).
	@npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(FRONTEND_STAMP): $(NODE_STAMP) $(FRONTEND_SOURCES)
	@echo "==> Building the web chat's assets into api/static/govuk/"
	@rm -rf api/static/govuk && mkdir -p api/static/govuk
	@# Sass, not the precompiled CSS: that carries GOV.UK's Transport font, which a council
	@# service must not use. api/styles/pcl.scss sets the font and picks the components.
	@node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
	  api/styles/pcl.scss api/static/govuk/pcl.min.css
	@cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js api/static/govuk/
	@touch $@

# The installed browser is its own stamp.
browser: $(CHROMIUM)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "==> Installing Debian's chromium for the browser tests (apt-get)"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
	  echo "note: $(CHROMIUM) is missing and this is not root with apt-get: the browser tests" \
	    "will skip. Install Debian's chromium package to run them."; \
	fi

test-browser: setup $(MODEL) frontend browser
	@$(PY) -m pytest tests/browser

clean-frontend:
	rm -rf node_modules api/static/govuk

# --- Benchmarks, faults and scale-out ------------------------------------------------------
# `make bench` measures the stack on the embedded default (scripts/bench.py --help for the
# options: BENCH_ARGS="--quick"). The fault and scale-out tests need PostgreSQL and Redis on
# 127.0.0.1; the scale-out test also runs Debian's nginx in front of two API instances.
# Like the other service tests they skip, saying why, unless PCL_REQUIRE_SERVICES=1.
.PHONY: bench nginx test-faults test-scaleout
NGINX := /usr/sbin/nginx
BENCH_ARGS ?=

test: nginx

# The bench's yardstick: a minimal stock Rasa project (scripts/minimal_rasa, none of the
# project's code), trained once per content, like the assistant's model. (Defined before the
# rule that needs it: make expands a rule's prerequisites as it reads them.)
MINIMAL_DIR := scripts/minimal_rasa
MINIMAL_INPUTS := requirements/rasa.lock $(shell find $(MINIMAL_DIR) -type f -name '*.yml' | sort)
MINIMAL_HASH := $(call hash,$(wildcard $(MINIMAL_INPUTS)))
MINIMAL_MODEL := models/minimal-$(MINIMAL_HASH).tar.gz

bench: setup $(MODEL) $(MINIMAL_MODEL)
	@$(PY) scripts/bench.py --minimal-model $(MINIMAL_MODEL) $(BENCH_ARGS)


$(MINIMAL_MODEL): $(RASA_STAMP) $(wildcard $(MINIMAL_INPUTS))
	@echo "==> Training the minimal stock Rasa project (the bench's yardstick): $(MINIMAL_MODEL)"
	@mkdir -p models
	@cd $(MINIMAL_DIR) && env -u PYTHONPATH $(CURDIR)/$(STOCK_RASA) train --fixed-model-name minimal-$(MINIMAL_HASH) \
	  --out $(CURDIR)/models --quiet
	@find models -name 'minimal-*.tar.gz' ! -name 'minimal-$(MINIMAL_HASH).tar.gz' -delete

# `make profile`: py-spy on each process (rasa, actions, api) under the bench's quick load;
# the top-20 functions by share of samples per process (docs/performance-profile.md).
.PHONY: profile
PROFILE_ARGS ?=
profile: setup $(MODEL)
	@$(PY) scripts/profile_stack.py $(PROFILE_ARGS)

# The installed server is its own stamp. The tests run nginx in the foreground with their own
# configuration; the package's own service (port 80), where an init system starts it, is unused.
nginx: $(NGINX)

$(NGINX):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "==> Installing Debian's nginx for the scale-out test (apt-get)"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx; \
	else \
	  echo "note: $(NGINX) is missing and this is not root with apt-get: the scale-out test" \
	    "will skip. Install Debian's nginx package to run it."; \
	fi

test-faults: setup $(MODEL)
	@$(PY) -m pytest tests/faults

test-scaleout: setup $(MODEL) nginx
	@$(PY) -m pytest tests/scaleout
