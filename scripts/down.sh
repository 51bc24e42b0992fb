#!/usr/bin/env bash
# `make down`: stops what `make up` / `make demo` started (nginx, services, simulator), by the pids they recorded.
# Postgres and Redis keep running (they are shared; `make test` needs them too).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

step "Stopping ollama-gateway"
if pid="$(running_pid nginx)"; then
  # QUIT lets nginx finish the requests in flight (streams included), up to 15 s.
  kill -QUIT "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "nginx (pid $pid) did not stop within 15 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file nginx)"
  ok "stopped nginx (pid $pid)"
fi
for name in dashboard gateway billing-worker logger ollama-sim; do stop_pid "$name"; done
rm -f "$RUN_DIR/gateway.ollama_url"
ok "stopped (Postgres and Redis keep running; logs stay in .run/logs)"
