# Two commands set everything up on a fresh machine (Python 3.11 and the package registries only):
#   make demo   - creates .venv, installs accountplan, drafts a plan for the demo account
#   make test   - creates .venv, installs the dev tools too, runs ruff, the import contracts, the type
#                 checker and the test suite
# Both install the exact versions in requirements.lock / requirements-dev.lock (hashes checked),
# then the project itself without dependencies. `make lock` refreshes the lock files.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# pyright is pinned in pyproject with its own Node.js (the nodejs extra); no "new version"
# look-up on every run.
PYRIGHT := PYRIGHT_PYTHON_IGNORE_WARNINGS=1 $(BIN)/pyright --pythonpath $(BIN)/python
PIP_TOOLS := pip-tools==7.6.2
COMPILE   = $(VENV)-lock/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
            --no-emit-index-url --no-emit-find-links

.PHONY: demo test lint bench pictures install dev lock clean

$(BIN)/accountplan: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	@# Byte-compile our own code once, so no command recompiles it (PYTHONDONTWRITEBYTECODE would).
	$(BIN)/python -m compileall -q bot agent tools storage
	@touch $@

$(VENV)/.dev-installed: requirements-dev.lock $(BIN)/accountplan
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip check
	@touch $@

install: $(BIN)/accountplan

dev: $(VENV)/.dev-installed

demo: install
	$(BIN)/accountplan demo

lint: dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(PYRIGHT)

test: dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(PYRIGHT)
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench

# The README's pictures (docs/*.png) from the demo data; the card needs headless Chromium.
pictures: install
	$(BIN)/python docs/make_pictures.py

# Re-resolve every dependency within pyproject.toml's bounds to the newest releases and pin them.
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet '$(PIP_TOOLS)'
	$(COMPILE) --upgrade -o requirements.lock pyproject.toml
	$(COMPILE) --upgrade --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) $(VENV)-lock data .pytest_cache
