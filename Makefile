# Everyday commands. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# make run DEMO=no leaves out the demonstration catalogue.
DEMO ?= yes

.PHONY: install demo run test lint format lock hooks bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The versions every machine installs, resolved from pyproject.toml by `make lock`.
$(VENV)/.installed: requirements/development.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/development.txt
	touch $@

LOCK := $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links

lock: $(VENV)/.installed  ## Resolve pyproject.toml's dependencies anew into requirements/.
	$(LOCK) --extra test --output-file requirements/development.txt pyproject.toml
	$(LOCK) --output-file requirements/production.txt pyproject.toml

hooks: $(VENV)/.installed  ## Run ruff, django-upgrade and djhtml before each commit.
	$(BIN)/pre-commit install

install: $(VENV)/.installed  ## Create .venv, install the site and its test tools, load the seed.
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py populate_history --auto

demo: install  ## Add the demonstration catalogue, once (seed_demo --clear removes it).
ifneq ($(DEMO),no)
	$(BIN)/python manage.py seed_demo --once --projects 40 --interventions 150
endif

run: demo  ## Serve the site with the seed and demonstration content on http://127.0.0.1:8000.
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed  ## Run the whole test suite.
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check $(shell git ls-files 'templates/*.html')
	$(BIN)/lint-imports

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed  ## Seed 1k, 10k and 100k records and measure pages under load (needs wrk).
	$(BIN)/python bench/run.py $(BENCH_ARGS)

load: $(VENV)/.installed  ## 60 s of load on PostgreSQL while an editor saves every second (needs wrk, Redis).
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles
