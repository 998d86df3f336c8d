# Two commands for a new user: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean system-deps

# Debian packages the tests and certificates need: poppler (pdftotext, pdfsig, pdftoppm),
# a CJK TrueType font to embed, openssl for the development TSA, wrk for make bench.
SYSTEM_PACKAGES := poppler-utils fonts-wqy-microhei openssl
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) system-deps
	$(VENV)/bin/ledger init
	$(VENV)/bin/ledger quickstart
	exec $(VENV)/bin/ledger serve

system-deps:
	@if ! command -v pdftotext >/dev/null || ! command -v openssl >/dev/null || [ ! -f $(CJK_FONT) ]; then \
		echo "installing $(SYSTEM_PACKAGES) (Debian)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	fi

test: $(STAMP) system-deps
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --strict verifier reports

# make bench BENCH_FLAGS='--quick --only service'  (flags: python -m bench --help)
bench: $(STAMP)
	$(PY) -m bench $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
