# kzreg — the two commands a newcomer needs:
#   make run    set up, migrate a SQLite database, load the demo data, serve on :8000
#   make test   set up (incl. Chromium and PostgreSQL) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup system lint bench clean

$(BIN)/kzreg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/kzreg

system:
	bash scripts/setup-system.sh

run: setup
	bash scripts/setup-system.sh --runtime
	$(BIN)/kzreg db upgrade
	$(BIN)/kzreg demo load
	$(BIN)/kzreg serve --host $(HOST) --port $(PORT)

test: setup system
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var build *.egg-info
