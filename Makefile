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

# The running system on the embedded default (SQLite results database, Dagster instance under var/):
# Dagster UI on :3000, the daemon with the inbox sensor, the API on :8000; one Ctrl-C stops all.
# On first start it upgrades the database and drops a generated demo ledger into var/inbox.
run: $(INSTALLED)
	$(BIN)/fintrace up

# Debian's packages the tests use: Chromium for the dashboard's browser tests (Playwright never downloads a
# browser of its own) and poppler-utils (pdftotext, pdftoppm) to read the PDF reports back.
# Installed when this runs as root with apt; otherwise those tests skip (and fail in CI).
SYSTEM_TOOLS := /usr/bin/chromium /usr/bin/pdftotext
$(SYSTEM_TOOLS):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium poppler-utils"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	else echo "note: $@ is missing; the tests that need it will be skipped (apt-get install chromium poppler-utils)"; fi

# The dashboard tests' screenshots are kept here (git-ignored) for CI to collect as artefacts.
test: export FINTRACE_SCREENSHOT_DIR ?= $(CURDIR)/var/test-artifacts/screenshots
test: $(INSTALLED) $(SYSTEM_TOOLS)
	$(BIN)/ruff check fintrace_pipeline fintrace_pipeline_tests bench
	VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/dg check defs
	$(BIN)/pytest -n 2 --dist loadgroup -q

clean:
	rm -rf var .pytest_cache
