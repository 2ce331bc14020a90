# Every target runs through uv, so the workspace's one lock file decides every version.
SHELL := /bin/bash
# pip --user installs uv here; make finds it there even when the shell's PATH does not have it yet.
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= uv
PY_DIRS := shared services gateway tests bench scripts conftest.py
# MailDev, the development inbox (make dev) and the cross-service tests' mail server, pinned by its package-lock.
MAILDEV_DEPS := tools/maildev/node_modules/.package-lock.json

.DEFAULT_GOAL := help

.PHONY: help uv sync lint fmt test test-fast test-frontend frontend-deps maildev-deps migrate dev bench clean openapi

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

uv: ## Install uv with pip (into ~/.local/bin) unless it is already on PATH
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet --user uv \
		|| python3 -m pip install --quiet --user --break-system-packages uv

sync: uv ## Install the workspace (every package, dev tools) from uv.lock
	$(UV) sync --all-packages --frozen

lint: sync ## ruff (lint + format check) and mypy --strict
	$(UV) run ruff check $(PY_DIRS)
	$(UV) run ruff format --check $(PY_DIRS)
	$(UV) run mypy $(PY_DIRS)

fmt: sync ## Format and autofix
	$(UV) run ruff format $(PY_DIRS)
	$(UV) run ruff check --fix $(PY_DIRS)

test: lint test-frontend $(MAILDEV_DEPS) ## Lint, types and every test (unit, API, cross-service, the front end in Chromium)
	$(UV) run pytest

# --- the front end (frontend/): npm, never a downloaded browser ----------------------------------------------
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export NEXT_TELEMETRY_DISABLED := 1
NPM ?= npm
FRONTEND_DEPS := frontend/node_modules/.package-lock.json

frontend-deps: $(FRONTEND_DEPS) ## Install the front end's npm packages from package-lock.json (when it changed)

# npm writes node_modules/.package-lock.json on every install, so this reruns only when the lock file changes.
$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	touch $@

maildev-deps: $(MAILDEV_DEPS) ## Install MailDev (tools/maildev) from its package-lock.json (when it changed)

$(MAILDEV_DEPS): tools/maildev/package-lock.json
	cd tools/maildev && $(NPM) ci --no-audit --no-fund
	touch $@

test-frontend: $(FRONTEND_DEPS) ## The front end's eslint, tsc --noEmit and Vitest (the browser test runs in pytest)
	cd frontend && $(NPM) run --silent lint
	cd frontend && $(NPM) run --silent typecheck
	cd frontend && $(NPM) run --silent test

openapi: sync $(FRONTEND_DEPS) ## Write docs/openapi/{auth,tasks}.json and the front end's types from them (commit both)
	$(UV) run python scripts/openapi.py

test-fast: sync ## Unit and in-process API tests only, for the edit loop
	$(UV) run pytest shared/tests services/auth/tests services/tasks/tests gateway/tests

.PHONY: migrate-auth run-auth
migrate-auth: ## Migrate the auth database (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/auth) to head
	cd services/auth && $(UV) run alembic upgrade head

run-auth: ## Run the auth service on :8001, its Procfile line (needs JWT_SECRET; run migrate-auth first)
	AUTH_DATABASE_URL="$${DATABASE_URL:-$(AUTH_DATABASE_URL)}" $(UV) run honcho start -f Procfile -e /dev/null auth

.PHONY: migrate-tasks run-tasks bench-tasks bench-pgbouncer
migrate-tasks: ## Migrate the tasks database (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/tasks) to head
	cd services/tasks && $(UV) run alembic upgrade head

run-tasks: ## Run the tasks service on :8002, its Procfile line (needs JWT_SECRET; run migrate-tasks first)
	TASKS_DATABASE_URL="$${DATABASE_URL:-$(TASKS_DATABASE_URL)}" $(UV) run honcho start -f Procfile -e /dev/null tasks

# Every service adds its own bench-* target as a prerequisite of bench (prerequisite-only rules merge).
bench: bench-tasks bench-pgbouncer ## Run every benchmark (not part of make test)

bench-tasks: sync ## Tasks service under wrk (16/64 conns) vs its token-check ceiling, then the list query plan
	$(UV) run python -m bench.tasks_bench
	$(UV) run python -m bench.tasks_plan

bench-pgbouncer: sync ## GET one task through PgBouncer (transaction mode) vs direct: req/s and CPU per request (wrk)
	$(UV) run python -m bench.pgbouncer_bench

# --- the whole system: make dev (no Docker), compose, the gateway benchmark ---------------------------------
# Development only: local PostgreSQL and Redis, ENV=development and a throwaway secret (never deploy these).
AUTH_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/auth
TASKS_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/tasks
DEV_JWT_SECRET ?= make-dev-only-secret-never-use-it-anywhere-else
COMPOSE ?= docker compose

.PHONY: up down logs bench-gateway bench-servers bench-frontend bench-http-metrics

migrate: sync ## Create the auth and tasks databases if missing, then migrate both to head
	$(UV) run python scripts/create_databases.py "$(AUTH_DATABASE_URL)" "$(TASKS_DATABASE_URL)"
	cd services/auth && DATABASE_URL="$(AUTH_DATABASE_URL)" $(UV) run alembic upgrade head
	cd services/tasks && DATABASE_URL="$(TASKS_DATABASE_URL)" $(UV) run alembic upgrade head

dev: migrate $(FRONTEND_DEPS) $(MAILDEV_DEPS) ## Run auth, tasks, the gateway, the front end and MailDev (inbox: :1080); Ctrl-C stops all
	ENV=development JWT_SECRET="$${JWT_SECRET:-$(DEV_JWT_SECRET)}" \
	AUTH_DATABASE_URL="$(AUTH_DATABASE_URL)" TASKS_DATABASE_URL="$(TASKS_DATABASE_URL)" \
	$(UV) run honcho start -f Procfile -e /dev/null

up: ## docker compose: build and start everything, wait until healthy (needs .env, see .env.example)
	$(COMPOSE) up --build --detach --wait

down: ## docker compose: stop and remove the containers (the database volume stays)
	$(COMPOSE) down

logs: ## docker compose: follow every service's logs
	$(COMPOSE) logs --follow

bench-frontend: sync $(FRONTEND_DEPS) ## Lighthouse on the production build of /login and /tasks (Debian's Chromium)
	cd bench/lighthouse && PUPPETEER_SKIP_DOWNLOAD=1 $(NPM) ci --no-audit --no-fund
	$(UV) run python -m bench.frontend_lighthouse

bench-gateway: sync ## Gateway candidates vs direct vs nginx on GET one task (wrk; installs wrk/nginx with apt-get as root)
	$(UV) run python bench/gateway_bench.py

bench-servers: sync ## The tasks service on uvicorn (httptools, h11) and on Granian (wrk)
	$(UV) run python -m bench.service_servers

bench: bench-gateway bench-servers bench-frontend bench-auth

.PHONY: bench-auth
bench-auth: sync ## get-session, /token, sign-in and GET one task next to Better Auth (wrk; node + npm for Better Auth)
	$(UV) run python -m bench.auth_bench

.PHONY: bench-capacity
bench-capacity: sync ## Per-request CPU, SQL statements and Redis commands of each service, for docs/scaling.md (wrk)
	$(UV) run python -m bench.capacity

bench: bench-capacity

bench-http-metrics: sync ## The metrics middleware's cost per request, beside prometheus-client instrumentators (in-process)
	$(UV) run --with prometheus-fastapi-instrumentator --with starlette-exporter python -m bench.http_metrics_bench

bench: bench-http-metrics

clean: ## Remove caches and build output
	rm -rf .mypy_cache .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
