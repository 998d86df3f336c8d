# Two commands for a new user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SERVICE := $(VENV)/.service
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean system-deps test-deps verifier-dist

# system-deps: the Debian packages the tests and certificates need: poppler (pdftotext,
# pdfsig, pdftoppm), a CJK TrueType font to embed, openssl for the development TSA, curl
# for the auditor guide's commands (tests/ledger/test_auditor_guide.py runs them),
# certutil (libnss3-tools) for the NSS database in which pdfsig trusts the development roots.
# test-deps, for `make test` only: nginx runs the operator guide's proxy configuration
# (tests/ledger/test_nginx.py). Not for `make run`: on a systemd host the package starts
# a default site on port 80.
# The console's browser tests (tests/browser): Debian's chromium, driven by Playwright for
# Python (never `playwright install`), and npm for axe-core (tests/browser/package.json).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
AXE := tests/browser/node_modules/axe-core/axe.min.js
# Installs only the Debian packages in $$missing: a package already provided otherwise (say
# npm beside NodeSource's nodejs, which conflicts with Debian's npm) is never asked for.
APT_INSTALL = if [ -n "$$missing" ]; then \
		echo "installing$$missing (Debian)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

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
	@missing=; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v certutil >/dev/null || missing="$$missing libnss3-tools"; \
	[ -f $(CJK_FONT) ] || missing="$$missing fonts-wqy-microhei"; \
	$(APT_INSTALL)

test-deps: system-deps
	@missing=; \
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	$(APT_INSTALL)

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
