# Two commands set everything up on a fresh machine (Python 3.11 and the package registries only):
#   make demo   - creates .venv, installs accountplan, drafts a plan for the demo account
#   make test   - creates .venv, installs the dev extras, runs ruff, the import contracts, the type
#                 checker and the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# pyright is pinned in pyproject and runs its bundled copy on the machine's node: no "new version"
# look-up on every run.
PYRIGHT := PYRIGHT_PYTHON_IGNORE_WARNINGS=1 $(BIN)/pyright --pythonpath $(BIN)/python

.PHONY: demo test lint bench pictures install clean

$(BIN)/accountplan: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/accountplan

demo: install
	$(BIN)/accountplan demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(PYRIGHT)

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(PYRIGHT)
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench

# The README's pictures (docs/*.png) from the demo data; the card needs headless Chromium.
pictures: install
	$(BIN)/python docs/make_pictures.py

clean:
	rm -rf $(VENV) data .pytest_cache
