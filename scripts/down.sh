#!/usr/bin/env bash
# `make down`: stops what `make up` / `make demo` started (nginx, services, simulator), by the pids they recorded.
# Postgres and Redis keep running (they are shared; `make test` needs them too).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

step "Stopping ollama-gateway"
if pid="$(running_pid nginx)"; then
  # QUIT lets nginx finish the requests in flight; stop_pid escalates if it takes too long.
  kill -QUIT "$pid" 2>/dev/null || true
fi
stop_pid nginx
for name in gateway billing-worker logger ollama-sim; do stop_pid "$name"; done
rm -f "$RUN_DIR/gateway.ollama_url"
ok "stopped (Postgres and Redis keep running; logs stay in .run/logs)"
