# The two commands a new user runs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint bench docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "takedown needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

SIM_PORT ?= 8081

run: $(STAMP)
	$(BIN)/takedown init
	$(BIN)/takedown demo
	$(BIN)/takedown serve --host $(HOST) --port $(PORT) --simulate $(SIM_PORT) --simulate-answers

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Generated from the code (tests/test_docs.py fails when one is stale): the CLI reference, the
# settings reference, and the command list that lets `takedown --help` import no command.
docs: $(STAMP)
	$(BIN)/python -m takedown.cli._reference cli > docs/cli.md
	$(BIN)/python -m takedown.cli._reference settings > docs/settings.md
	$(BIN)/python -m takedown.cli._reference commands > src/takedown/cli/commands.json.new
	mv src/takedown/cli/commands.json.new src/takedown/cli/commands.json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
