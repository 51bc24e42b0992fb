#!/usr/bin/env bash
# `make test`: build, then every test (unit, integration, infra, end-to-end) with vitest.
# Tests use their own databases, queue prefixes, ports and nginx instances: a running `make up` stack is not touched.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

nginx_bin >/dev/null || die "$NGINX_HINT"
have node || die "Node.js is not installed. Install Node 20 or newer."
[[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]] ||
  die "Chromium is missing (the dashboard's browser tests drive it headless): sudo apt-get install -y chromium, or set CHROMIUM_PATH."
[[ -d node_modules ]] || die "node_modules is missing: run npm ci (or make up once)."

# Only the test-server settings come from .env (make up writes them when Postgres needs a password).
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
step "Type-checking the tests and linting (tsc, biome)"
npm run typecheck:tests --silent
npx biome check --diagnostic-level=error . >/dev/null || { npx biome check --diagnostic-level=error .; die "Lint failed: run make format, then fix what remains."; }
step "Running every test (npx vitest run $*)"
exec npx vitest run "$@"
