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

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
PIP_VERSION := 24.0

# Rasa 3.6 needs Python 3.10: python3.10 on PATH if it really runs, else pyenv's.
PYTHON310 = $(shell for p in python3.10 $$(pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10; do \
  "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
PYTHON311 ?= python3

hash = $(shell cat $(1) | sha256sum | cut -c1-12)
APP_STAMP := $(VENV)/.installed-$(call hash,requirements/app.lock)
RASA_STAMP := $(RASA_VENV)/.installed-$(call hash,requirements/rasa.lock)
# The model depends on everything Rasa reads when it trains.
MODEL_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' | sort) \
  rasa_ext/harm_net.py bot/harm_signals.py bot/harm_phrases.yml
MODEL_HASH := $(call hash,$(wildcard $(MODEL_INPUTS)))
MODEL := models/pcl-$(MODEL_HASH).tar.gz
export PCL_MODEL := $(MODEL)

export PCL_RASA_PORT ?= 5005
export PCL_ACTION_SERVER_PORT ?= 5055
export PCL_API_PORT ?= 8000
export PCL_ACTION_SERVER_URL ?= http://127.0.0.1:$(PCL_ACTION_SERVER_PORT)
export PCL_RASA_URL ?= http://127.0.0.1:$(PCL_RASA_PORT)

.PHONY: help setup run test test-unit test-e2e test-stories lint train validate lock clean

help:
	@echo "make run    start the assistant (web chat http://127.0.0.1:$(PCL_API_PORT)/chat)"
	@echo "make test   run every test"
	@echo "also: setup train validate lint test-unit test-stories test-e2e lock clean"

setup: $(APP_STAMP) $(RASA_STAMP)

$(APP_STAMP): requirements/app.lock
	@$(PYTHON311) -c 'import sys; assert sys.version_info[:2] >= (3, 11), sys.version' \
	  || { echo "The project needs Python 3.11 as '$(PYTHON311)'." >&2; exit 1; }
	@echo "==> Installing the Python 3.11 environment ($(VENV)) from requirements/app.lock"
	@test -x $(PY) || $(PYTHON311) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==$(PIP_VERSION)
	@$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements/app.lock \
	  | grep -vE '^(Requirement already satisfied|Looking in)' || true
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
	  | grep -vE '^(Requirement already satisfied|Looking in)' || true
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
	@umask 077 && $(PY) -c 'import secrets; from bot.records.crypto import generate_key; \
	  print("PCL_RASA_TOKEN=" + secrets.token_urlsafe(32)); print("PCL_HMAC_KEY=" + secrets.token_urlsafe(32)); \
	  print("PCL_ENCRYPTION_KEYS=" + generate_key()); print("PCL_BLIND_INDEX_KEY=" + generate_key())' > $@
	@echo "==> Generated development secrets in $@"

run: setup $(MODEL) var/dev.env
	@echo "==> Starting Rasa (:$(PCL_RASA_PORT)), the action server (:$(PCL_ACTION_SERVER_PORT)) and the API (:$(PCL_API_PORT)); Ctrl-C stops all three"
	@echo "    Web chat:    http://127.0.0.1:$(PCL_API_PORT)/chat"
	@echo "    Staff pages: http://127.0.0.1:$(PCL_API_PORT)/irt"
	@echo "    Health:      http://127.0.0.1:$(PCL_API_PORT)/healthz"
	@$(VENV)/bin/honcho --no-prefix -f Procfile -e var/dev.env start

validate: $(RASA_STAMP)
	@echo "==> rasa data validate"
	@$(RASA) data validate --quiet

lint: $(APP_STAMP)
	@echo "==> ruff and the layer contracts"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports --no-cache

test: setup $(MODEL) validate test-stories lint
	@echo "==> pytest"
	@$(PY) -m pytest

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

