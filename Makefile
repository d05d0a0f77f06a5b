# Two entry points: `make run` (install and serve on http://127.0.0.1:8000)
# and `make test` (install what the tests need, Debian's Chromium included, and run them all,
# then build the container image with podman and check that it serves: `make image-test`).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
APT_INSTALL := apt-get install -y --no-install-recommends

.PHONY: run test lint fuzz bench chromium servers image-test clean

$(PY):
	command -v python3 >/dev/null || { apt-get update && $(APT_INSTALL) python3; }
	python3 -m venv $(VENV) || { apt-get update && $(APT_INSTALL) python3-venv && python3 -m venv $(VENV); }

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(PY) -m app serve

chromium:
	command -v chromium >/dev/null || { apt-get update && $(APT_INSTALL) chromium; }

# redis-server and nginx: the deploy tests run several replicas behind nginx, sharing rooms through Redis.
servers:
	command -v redis-server >/dev/null && command -v nginx >/dev/null || \
		{ apt-get update && $(APT_INSTALL) redis-server nginx; }

lint: $(VENV)/.installed-test
	$(PY) -m ruff check app tests
	$(PY) -m mypy

test: $(VENV)/.installed-test chromium servers lint
	$(PY) -m pytest
	$(MAKE) --no-print-directory image-test

# The fuzz suites with many more examples than the normal run (NEUROPLAY_FUZZ_EXAMPLES, default 60).
fuzz: $(VENV)/.installed-test
	NEUROPLAY_FUZZ_EXAMPLES=$${NEUROPLAY_FUZZ_EXAMPLES:-2000} $(PY) -m pytest -q tests/live/test_fuzz.py \
		tests/unit/training/test_persistence_fuzz.py

image-test: $(VENV)/.installed-test
	bash tests/image/test_image.sh

bench: $(VENV)/.installed-run
	$(PY) -m app.bench

# Removes what `make` and `make test` made: the venv, caches, screenshots, and the image test's
# container, images and cached base rootfs (tests/image/test_image.sh clean).
clean:
	bash tests/image/test_image.sh clean
	rm -rf $(VENV) test-artifacts .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis
