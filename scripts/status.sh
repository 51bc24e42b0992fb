#!/usr/bin/env bash
# `make status`: what runs, what answers.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
load_env
# The Ollama the running gateway was started with (make demo points it at the simulator).
if [[ -f "$RUN_DIR/gateway.ollama_url" ]] && running_pid gateway >/dev/null; then OLLAMA_URL="$(cat "$RUN_DIR/gateway.ollama_url")"; fi

row() { printf '  %-16s %-28s %s\n' "$1" "$2" "$3"; }
state() {
  local name="$1" url="$2" pid
  if pid="$(running_pid "$name")"; then
    if http_ok "$url" 1500; then row "$name" "${GREEN}ready${RESET} (pid $pid)" "$url"; else row "$name" "${YELLOW}running, not ready${RESET} (pid $pid)" "$url"; fi
  else
    row "$name" "${DIM}stopped${RESET}" ""
  fi
}

printf '%sollama-gateway%s\n' "$BOLD" "$RESET"
state nginx "http://$([[ $API_HOST == 0.0.0.0 ]] && echo 127.0.0.1 || echo "$API_HOST"):$API_PORT/ready"
state gateway "http://$GATEWAY_HOST:$GATEWAY_PORT/ready"
state billing-worker "http://$BILLING_WORKER_HOST:$BILLING_WORKER_PORT/ready"
state logger "http://$LOGGER_HOST:$LOGGER_PORT/ready"
state dashboard "http://$DASHBOARD_HOST:$DASHBOARD_PORT/ready"
if running_pid ollama-sim >/dev/null; then state ollama-sim "http://127.0.0.1:$OLLAMA_SIM_PORT/api/version"; fi

printf '%sdependencies%s\n' "$BOLD" "$RESET"
db_host="$(url_part "$DATABASE_URL" hostname)"
db_port="$(url_part "$DATABASE_URL" port)"
if pg_isready -q -h "$db_host" -p "$db_port" 2>/dev/null; then row postgres "${GREEN}up${RESET}" "$db_host:$db_port"; else row postgres "${RED}down${RESET}" "$db_host:$db_port"; fi
if redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG; then row redis "${GREEN}up${RESET}" "$REDIS_URL"; else row redis "${RED}down${RESET}" "$REDIS_URL"; fi
if http_ok "$OLLAMA_URL/api/version" 2000; then row ollama "${GREEN}up${RESET}" "$OLLAMA_URL"; else row ollama "${YELLOW}not answering${RESET}" "$OLLAMA_URL"; fi
