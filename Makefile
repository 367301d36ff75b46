# Two commands do all the set-up: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PACKAGES := libs/shared $(wildcard services/*)
PYPROJECTS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml) sdk/python/pyproject.toml
# Constraints apply to build environments too, so setuptools is pinned as well.
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install browser run test test-fast contracts fuzz lint format bench cluster clean-data images

install: $(STAMP) browser

# The console's browser tests launch Debian's chromium by path (Playwright downloads no browser).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| { echo "chromium is missing: apt-get install chromium (as root)"; exit 1; }

$(STAMP): constraints.txt $(PYPROJECTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e libs/shared -e libs/devstack $(foreach pkg,$(filter services/%,$(PACKAGES)),-e $(pkg)) -e sdk/python \
		-r requirements-dev.txt
	@touch $(STAMP)

run: install
	$(PY) -m devstack run

test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -m devstack.contracts --check
	$(PY) -m pytest

# The inner loop: unit tests and in-process tests (tiers are markers the devstack plugin applies
# from the fixtures a test uses). Starts PostgreSQL and NATS and migrates; no service process.
test-fast: install
	$(PY) -m pytest -m "not stack" -q -W error::ResourceWarning --hypothesis-profile=fast

# Each published event's payload as a snapshot in tests/contracts/ (additive changes only).
contracts: install
	$(PY) -m devstack.contracts

# A long schemathesis pass (the bounded one is part of `make test`); FUZZ_MAX_EXAMPLES, FUZZ_SEED tune it.
fuzz: install
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-100} $(PY) -m pytest tests/fuzz

# The sensor loop on a 3-node JetStream cluster (R3 streams, two replicas of ingest, brain and
# agro), a NATS node and a brain replica killed while nodes post; prints its figures.
cluster: install
	set -o pipefail; $(PY) -m pytest tests/cluster -q -s 2>&1 | grep -v '^{"ts"'

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -m devstack.contracts --check

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: install
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk 2>/dev/null || echo "wrk not installed: bench/gateway.py skips its wrk run")
	$(PY) bench/all.py

# One image per services/* directory, from deploy/Dockerfile: a new service cannot be left out.
# make images IMAGE_PREFIX=<registry>/platform TAG=<tag> PUSH=1 builds and pushes them all;
# make image-<service> builds one.
SERVICES := $(patsubst services/%/pyproject.toml,%,$(wildcard services/*/pyproject.toml))
IMAGE_PREFIX ?= platform
TAG ?= dev
DOCKER ?= docker
PUSH ?=

images: $(addprefix image-,$(SERVICES))

image-%:
	$(DOCKER) build -f deploy/Dockerfile --build-arg SERVICE=$* -t $(IMAGE_PREFIX)/$*:$(TAG) .
	$(if $(PUSH),$(DOCKER) push $(IMAGE_PREFIX)/$*:$(TAG))

clean-data:
	rm -rf .data
