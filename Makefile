# Two commands for a new user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SERVICE := $(VENV)/.service
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean system-deps test-deps verifier-dist

# Debian packages the tests and certificates need: poppler (pdftotext, pdfsig, pdftoppm),
# a CJK TrueType font to embed, openssl for the development TSA, curl for the auditor
# guide's commands (tests/ledger/test_auditor_guide.py runs them), wrk for make bench,
# certutil (libnss3-tools) for the NSS database in which pdfsig trusts the development roots.
SYSTEM_PACKAGES := poppler-utils fonts-wqy-microhei openssl curl libnss3-tools
# For `make test` only: nginx runs the operator guide's proxy configuration
# (tests/ledger/test_nginx.py). Not for `make run`: on a systemd host the package starts
# a default site on port 80.
# The console's browser tests (tests/browser): Debian's chromium, driven by Playwright for
# Python (never `playwright install`), and npm for axe-core (tests/browser/package.json).
TEST_PACKAGES := nginx-light chromium npm
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
AXE := tests/browser/node_modules/axe-core/axe.min.js

# `make run` installs the service alone; `make test` and the rest add the development tools.
$(SERVICE): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(SERVICE)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(SERVICE) $(STAMP)

run: $(SERVICE) system-deps
	$(VENV)/bin/ledger init
	$(VENV)/bin/ledger quickstart
	exec $(VENV)/bin/ledger serve

system-deps:
	@if ! command -v pdftotext >/dev/null || ! command -v openssl >/dev/null || ! command -v curl >/dev/null || ! command -v certutil >/dev/null || [ ! -f $(CJK_FONT) ]; then \
		echo "installing $(SYSTEM_PACKAGES) (Debian)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

test-deps: system-deps
	@if { [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null; } || ! command -v chromium >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing $(TEST_PACKAGES) (Debian)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; \
	fi

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $(AXE)

test: $(STAMP) test-deps $(AXE)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --strict verifier reports

# make bench BENCH_FLAGS='--quick --only service'  (flags: python -m bench --help)
bench: $(STAMP)
	$(PY) -m bench $(BENCH_FLAGS)

# The auditor's verifier alone (dist-verifier/pyproject.toml): its wheel, into dist/.
verifier-dist:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist ./dist-verifier
	@ls dist/evidence_ledger_verify-*.whl

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build tests/browser/node_modules
