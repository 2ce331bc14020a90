# Every target runs through uv, so the workspace's one lock file decides every version.
SHELL := /bin/bash
UV ?= uv
PY_DIRS := shared services gateway tests bench conftest.py

.DEFAULT_GOAL := help

.PHONY: help sync lint fmt test test-fast migrate dev bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

sync: ## Install the workspace (every package, dev tools) from uv.lock
	$(UV) sync --all-packages --frozen

lint: sync ## ruff (lint + format check) and mypy --strict
	$(UV) run ruff check $(PY_DIRS)
	$(UV) run ruff format --check $(PY_DIRS)
	$(UV) run mypy $(PY_DIRS)

fmt: sync ## Format and autofix
	$(UV) run ruff format $(PY_DIRS)
	$(UV) run ruff check --fix $(PY_DIRS)

test: lint ## Lint, types and every test (unit, API, cross-service through the gateway)
	$(UV) run pytest

test-fast: sync ## Unit and in-process API tests only, for the edit loop
	$(UV) run pytest shared/tests services/auth/tests services/tasks/tests gateway/tests

clean: ## Remove caches and build output
	rm -rf .mypy_cache .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
