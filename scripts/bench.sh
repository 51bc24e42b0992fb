#!/usr/bin/env bash
# `make bench` (and `make bench-profile` = bench.sh --profile): build, then run bench/run.ts (or bench/profile.ts) on
# its own stack — fresh database, private queue prefix, its own ports and nginx, the simulator as upstream, loopback
# only. A running `make up` stack is not touched. Results: bench/results/latest.md (profile: bench/results/profile.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

nginx_bin >/dev/null || die "$NGINX_HINT"
have node || die "Node.js is not installed. Install Node 20 or newer."
[[ -d node_modules/tsx ]] || die "node_modules is missing or stale: run npm ci (or make up once)."

# Like make test: only the test-server settings come from .env (make up writes them when Postgres needs a password).
if [[ -f .env && "${ENV_FILE:-}" != none ]]; then
  for key in TEST_DATABASE_URL TEST_REDIS_URL; do
    if [[ -z "${!key:-}" ]] && line="$(grep -E "^$key=" .env | tail -n 1)"; then export "$key=${line#*=}"; fi
  done
fi
test_db="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_isready -q -d "$test_db" 2>/dev/null ||
  die "Postgres does not answer at $test_db. Start it (make up does), or set TEST_DATABASE_URL."
redis-cli -u "${TEST_REDIS_URL:-${REDIS_URL:-redis://127.0.0.1:6379}}" ping 2>/dev/null | grep -q PONG ||
  die "Redis does not answer at ${TEST_REDIS_URL:-${REDIS_URL:-redis://127.0.0.1:6379}}. Start it (make up does)."

step "Building (npm run build)"
npm run build --silent
if [[ "${1:-}" == --profile ]]; then
  step "Profiling the gateway (node --cpu-prof, non-streaming chat at 16 connections through nginx)"
  exec node --import tsx bench/profile.ts
fi
step "Benchmark (load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown); other work on this machine skews it)"
exec node --import tsx bench/run.ts
