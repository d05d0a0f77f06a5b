# Two entry points: `make run` (install and serve on http://127.0.0.1:8000)
# and `make test` (install what the tests need, Debian's Chromium included, and run them all,
# then build the container image with podman and check that it serves: `make image-test`).
# Every install takes the exact set in uv.lock (hashes checked); `make lock` refreshes it from
# pyproject.toml, and `make test-latest` runs the suite on the newest versions the bounds allow.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
LATEST_VENV := .venv-latest# the newest allowed versions, for `make test-latest`; never the lock's
TOOLS := .cache/tools# uv lives here, outside the project's venv, which `uv sync` keeps exactly to the lock
UV := $(TOOLS)/bin/uv
APT_INSTALL := apt-get install -y --no-install-recommends
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := python3# the system's Python: uv never downloads one
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.PHONY: run test test-latest lock lint fuzz bench chromium servers image-test clean

$(PY):
	command -v python3 >/dev/null || { apt-get update && $(APT_INSTALL) python3; }
	python3 -m venv $(VENV) || { apt-get update && $(APT_INSTALL) python3-venv && python3 -m venv $(VENV); }

# uv itself, at the version and hashes in deploy/uv-requirements.txt.
$(UV): deploy/uv-requirements.txt
	@echo "Installing uv (the tool that installs the locked dependencies) into $(TOOLS)"
	python3 -m venv $(TOOLS) || { apt-get update && $(APT_INSTALL) python3-venv && python3 -m venv $(TOOLS); }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r deploy/uv-requirements.txt
	touch $@

$(VENV)/.installed-run: pyproject.toml uv.lock | $(PY) $(UV)
	@echo "Installing neuroplay and its locked dependencies into $(VENV) (first run only)"
	$(UV) sync --frozen --quiet
	touch $@

$(VENV)/.installed-test: pyproject.toml uv.lock | $(PY) $(UV)
	@echo "Installing neuroplay and its locked test dependencies into $(VENV)"
	$(UV) sync --frozen --quiet --extra test
	touch $@ $(VENV)/.installed-run

# Resolve pyproject.toml's bounds again and write uv.lock (commit it with the pyproject.toml change).
lock: $(UV)
	$(UV) lock

# The whole suite on the newest versions pyproject.toml allows, in a venv of its own: drift found on purpose.
test-latest: $(UV) chromium servers
	@echo "Installing the newest allowed versions into $(LATEST_VENV) (uv.lock is not used here)"
	$(UV) venv --quiet --allow-existing $(LATEST_VENV)
	$(UV) pip install --quiet --python $(LATEST_VENV)/bin/python --upgrade --reinstall-package neuroplay -e '.[test]'
	$(LATEST_VENV)/bin/python -m ruff check app tests
	$(LATEST_VENV)/bin/python -m mypy
	$(LATEST_VENV)/bin/python -m pytest

run: $(VENV)/.installed-run
	$(PY) -m app serve

chromium:
	command -v chromium >/dev/null || { apt-get update && $(APT_INSTALL) chromium; }

# redis-server and nginx: the deploy tests start their own on free 127.0.0.1 ports. Installing the
# packages must not leave the distribution's services running or enabled on ports 6379 and 80, so
# policy-rc.d keeps them from starting and, on a systemd host, they are disabled again.
servers:
	@command -v redis-server >/dev/null && command -v nginx >/dev/null || { \
		echo "Installing redis-server and nginx; their system services are left stopped and disabled"; \
		made_policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1; fi; \
		apt-get update && $(APT_INSTALL) redis-server nginx; status=$$?; \
		[ -z "$$made_policy" ] || rm -f /usr/sbin/policy-rc.d; \
		if [ -d /run/systemd/system ]; then systemctl disable --now --quiet redis-server nginx || true; fi; \
		exit $$status; }

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
	rm -rf $(VENV) $(LATEST_VENV) test-artifacts .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis
