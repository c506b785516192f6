# The two commands a newcomer needs:  make run  and  make test.
# Both create .venv and install what they need on first use (Python 3.11+ is the only prerequisite).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test install lint clean demo

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(INSTALLED)

# Upgrade the database, generate a demo ledger and process it end to end on the embedded default
# (SQLite results database and a local Dagster instance under var/).
run: $(INSTALLED)
	$(BIN)/fintrace db upgrade
	$(BIN)/fintrace generate --rows 20000 --seed 7 --out var/demo/demo_ledger.csv --labels var/demo/demo_labels.csv
	$(BIN)/fintrace process var/demo/demo_ledger.csv

test: $(INSTALLED)
	$(BIN)/ruff check fintrace_pipeline fintrace_pipeline_tests bench
	$(BIN)/pytest -n 2 --dist loadgroup -q

clean:
	rm -rf var .pytest_cache
