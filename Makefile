# Thin entry points. `make all`: set up .venv from the lock file and rebuild every output.
# `make test`: unit tests, data checks and every notebook under nbval (lax).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= all
PYTEST_WORKERS ?= 2

.PHONY: all build setup test lab datapackage bench clean lint site

all: build

setup: $(STAMP)

$(STAMP): requirements/build.lock pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/build.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name oss-analysis --display-name "Python 3 (oss_analysis)" >/dev/null
	@touch $@

# mtime-based reruns, like make: Snakemake >= 9.18 otherwise skips inputs whose checksum is unchanged.
# --rerun-incomplete: a build that was killed is finished cleanly by the next one.
# COUNTRY="KGZ UZB": build the country-dependent notebooks for those focus countries into figures/<CODE>/.
COUNTRY ?=
SNAKEFLAGS ?= --snakefile workflow/Snakefile --cores $(JOBS) --max-checksum-file-size 0 --rerun-incomplete --show-failed-logs \
	$(if $(strip $(COUNTRY)),--config country="$(COUNTRY)")
# Two builds started at once: the second waits for the first (flock), then finds nothing to do.
# Holding that lock, any Snakemake lock left behind is from a killed build, so it is cleared.
FLOCK := $(shell command -v flock 2>/dev/null)
ifeq ($(FLOCK),)
RUN_GRAPH = $(BIN)/snakemake $(SNAKEFLAGS)
else
RUN_GRAPH = $(FLOCK) --verbose .build.lock sh -c 'rm -rf .snakemake/locks && exec $(BIN)/snakemake $(SNAKEFLAGS)'
endif

# SKIP_SETUP=1: use the venv as it is (the tests run `make build` in copies of the project).
build: $(if $(SKIP_SETUP),,$(STAMP))
	$(RUN_GRAPH)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope --nbval-lax --nbval-current-env notebooks tests

# The static site of the built tree (run `make all` first): build/site/index.html.
site: $(STAMP)
	$(BIN)/python -m oss_analysis.build site

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks

datapackage: $(STAMP)
	$(BIN)/python -m oss_analysis.build datapackage

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# JupyterLab lives in its own venv: its dependency jupyter-events pulls in rfc3987-syntax, which
# jsonschema imports eagerly (~1 s in every process that imports nbformat). Keeping it out of
# .venv keeps that cost out of every build and test process.
LAB := .venv-lab
$(LAB)/.installed: requirements/build.lock requirements/lab.lock pyproject.toml
	$(PYTHON) -m venv $(LAB)
	$(LAB)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/build.lock -r requirements/lab.lock
	$(LAB)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

lab: $(LAB)/.installed
	$(LAB)/bin/jupyter lab notebooks

clean:
	rm -rf build .snakemake
