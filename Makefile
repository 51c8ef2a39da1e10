# Every developer and CI task for nautui. `make help` lists the targets; CI runs `make test`.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
# Written after requirements-dev.txt is installed; the venv is redone only when that file changes.
STAMP := $(VENV)/.requirements-installed
# pyo3's build script (clippy, maturin) reads the interpreter to build against from here.
export PYO3_PYTHON := $(CURDIR)/$(PYTHON)
# maturin installs into the venv named here; PIP_QUIET keeps its "already satisfied" list out.
MATURIN := VIRTUAL_ENV=$(CURDIR)/$(VENV) PIP_QUIET=1 $(BIN)/maturin

.PHONY: help venv sqlite-dev build lint format test test-rust test-python demo bench clean

help: ## list the targets
	@echo "make TARGET, where TARGET is one of:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

$(STAMP): requirements-dev.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(STAMP) ## create .venv with the pinned tools of requirements-dev.txt

# The event log links the system SQLite (the library Python's sqlite3 uses), never a bundled copy.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The tests query logs with the sqlite3 shell too, as an operator would.
sqlite-dev: ## install libsqlite3-dev and the sqlite3 shell with apt-get, only if missing
	@pkg-config --exists sqlite3 2>/dev/null || { \
		echo "sqlite-dev: installing libsqlite3-dev (the event log links the system SQLite)"; \
		$(SUDO) apt-get install -y -qq libsqlite3-dev pkg-config; }
	@command -v sqlite3 >/dev/null || { \
		echo "sqlite-dev: installing the sqlite3 shell (the tests query logs with it)"; \
		$(SUDO) apt-get install -y -qq sqlite3; }

build: $(STAMP) sqlite-dev ## build the Rust engine (release) into .venv as nautui._core
	@echo "build: the engine in release mode (a first build takes a minute or two)"
	$(MATURIN) develop --release --quiet

demo: build ## build, then run `nautui demo`
	$(BIN)/nautui demo

lint: build ## ruff, ruff format --check, mypy --strict, stubtest, rustfmt --check, clippy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict
	$(PYTHON) -m mypy.stubtest nautui._core
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings

format: $(STAMP) ## rewrite Python and Rust files in the house style
	$(BIN)/ruff check --fix --quiet .
	$(BIN)/ruff format .
	cargo fmt --all

test-rust: sqlite-dev ## Rust tests (the engine, without Python)
	cargo test --workspace --release --quiet --features store

test-python: build ## Python tests (pytest)
	$(PYTHON) -m pytest

test: lint test-rust test-python ## build, lint, then the Rust and the Python tests

bench: build ## run every bench/*.py (each prints one JSON line on stdout)
	@shopt -s nullglob; benches=(bench/*.py); \
	if [[ $${#benches[@]} -eq 0 ]]; then echo "bench: no bench/*.py yet, nothing to run"; fi; \
	for bench in "$${benches[@]}"; do echo "== $$bench" >&2; $(PYTHON) "$$bench"; done

clean: ## remove .venv, Rust build output, the built module and caches
	rm -rf $(VENV) target dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
	rm -f nautui/_core*.so
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
