# ollama-gateway — the commands the README uses. `make help` lists them.
# Variables set on the command line or in the environment win over .env, e.g. `API_PORT=9000 make up`.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help
.PHONY: help up demo down restart status logs test soak bench bench-profile bench-dashboard lint format build clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-9s %s\n", $$1, $$2 }'

up: ## Install what is missing, build, migrate, start every service and nginx
	@scripts/up.sh

demo: ## Like up, with the built-in Ollama simulator and a ready-to-use demo key
	@scripts/up.sh --demo

down: ## Stop what up/demo started (Postgres and Redis keep running)
	@scripts/down.sh

restart: ## down, then up (picks up a new build or .env)
	@scripts/down.sh
	@scripts/up.sh

status: ## What runs and what answers
	@scripts/status.sh

logs: ## Follow the logs (SERVICE=gateway for one)
	@scripts/logs.sh

test: ## Build and run every test (needs Postgres, Redis and nginx; does not disturb a running stack)
	@scripts/test.sh

soak: ## Long fault variants + 10-minute soak (SOAK=1, one file at a time, ~15 min): prints each scenario's result
	@scripts/soak.sh

bench: ## Benchmark on its own stack (simulator, gateway, nginx; ~2 min): prints the table, writes bench/results/latest.md
	@scripts/bench.sh

bench-profile: ## CPU-profile the gateway under load (node --cpu-prof): top functions to bench/results/profile.md
	@scripts/bench.sh --profile

bench-dashboard: ## Dashboard API on 10M events / 1M logs (seeds ogw_bench_dashboard once, ~11 min; FRESH=1 re-seeds)
	@npm run build --silent
	@node --import tsx bench/dashboard.ts $(if $(FRESH),--fresh,)

lint: ## Biome lint and format check
	@npx biome check .

format: ## Format and fix what Biome can
	@npx biome check --write .

build: ## Compile every workspace (tsc -b)
	@npm run build

clean: ## Remove build output and .run/ (stop the stack first)
	@for p in nginx gateway billing-worker logger dashboard ollama-sim; do if [[ -f .run/pids/$$p.pid ]] && kill -0 "$$(cat .run/pids/$$p.pid)" 2>/dev/null; then echo "$$p is still running: run make down first." >&2; exit 1; fi; done
	@npm run clean --silent
	@if [[ -d .run ]]; then find .run -mindepth 1 -maxdepth 1 ! -name redis -exec rm -rf {} +; fi
	@echo "Removed build output and .run/ (kept .env and the Redis data in .run/redis)."
