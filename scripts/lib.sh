#!/usr/bin/env bash
# Shared helpers for the Makefile scripts (up, down, status, logs, test). Source it; do not run it.
# Everything a local stack writes lives under .run/ (logs, pids, nginx config, redis data, spool).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
SERVICES=(gateway billing-worker logger dashboard)

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  BOLD=$'\e[1m' DIM=$'\e[2m' RED=$'\e[31m' GREEN=$'\e[32m' YELLOW=$'\e[33m' RESET=$'\e[0m'
else
  BOLD='' DIM='' RED='' GREEN='' YELLOW='' RESET=''
fi

step() { printf '%s==>%s %s\n' "$BOLD" "$RESET" "$*"; }
info() { printf '    %s\n' "$*"; }
ok() { printf '    %s✓%s %s\n' "$GREEN" "$RESET" "$*"; }
warn() { printf '    %s! %s%s\n' "$YELLOW" "$*" "$RESET" >&2; }
die() {
  printf '%serror:%s %s\n' "$RED" "$RESET" "$*" >&2
  exit 1
}

# sbin directories are not on every user's PATH, but nginx and pg_ctlcluster live there.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

is_root() { [[ "$(id -u)" == 0 ]]; }
is_debian() { [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; }
have() { command -v "$1" >/dev/null 2>&1; }

# The names set in the environment the script was started with: those win over .env.
declare -A ORIGINAL_ENV=()
for __name in $(compgen -e); do ORIGINAL_ENV[$__name]=1; done
unset __name

# Loads .env (or $ENV_FILE) without overriding variables set in the caller's environment, then applies defaults.
# Safe to call again after .env changed. `ENV_FILE=none` skips the file.
load_env() {
  local file="${ENV_FILE:-$ROOT/.env}" line key value
  if [[ "$file" != none && -f "$file" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      line="${line#"${line%%[![:space:]]*}"}"
      [[ -z "$line" || "$line" == \#* || "$line" != *=* ]] && continue
      key="${line%%=*}"
      key="${key#export }"
      key="${key%"${key##*[![:space:]]}"}"
      value="${line#*=}"
      [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
      if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
      # The caller's environment wins over the file (so `API_PORT=9000 make up` works).
      if [[ -z "${ORIGINAL_ENV[$key]:-}" ]]; then export "$key=$value"; fi
    done <"$file"
  fi
  export API_HOST="${API_HOST:-127.0.0.1}" API_PORT="${API_PORT:-8080}"
  export GATEWAY_HOST="${GATEWAY_HOST:-127.0.0.1}" GATEWAY_PORT="${GATEWAY_PORT:-8081}"
  export BILLING_WORKER_HOST="${BILLING_WORKER_HOST:-127.0.0.1}" BILLING_WORKER_PORT="${BILLING_WORKER_PORT:-8082}"
  export LOGGER_HOST="${LOGGER_HOST:-127.0.0.1}" LOGGER_PORT="${LOGGER_PORT:-8083}"
  export DASHBOARD_HOST="${DASHBOARD_HOST:-127.0.0.1}" DASHBOARD_PORT="${DASHBOARD_PORT:-3000}"
  export OLLAMA_URL="${OLLAMA_URL:-http://127.0.0.1:11434}" OLLAMA_SIM_PORT="${OLLAMA_SIM_PORT:-11435}"
  export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ollama_gateway}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
  export SPOOL_DIR="${SPOOL_DIR:-$RUN_DIR/spool}"
}

# Part of a URL: url_part <url> hostname|port|username|password|pathname
url_part() {
  node -e 'const u = new URL(process.argv[1]); const p = process.argv[2];
    const d = { port: { "postgres:": "5432", "postgresql:": "5432", "redis:": "6379", "http:": "80" }[u.protocol] };
    process.stdout.write(decodeURIComponent(u[p] || d[p] || "").replace(/^\[|\]$/g, ""))' "$1" "$2"
}

is_local_host() { [[ "$1" == 127.0.0.1 || "$1" == localhost || "$1" == ::1 ]]; }

# 0 when GET <url> answers 2xx within <timeout ms> (default 2000). Node's fetch: no curl needed.
http_ok() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(Number(process.argv[2])) })
    .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1" "${2:-2000}" 2>/dev/null
}

# 0 when something accepts TCP connections on host:port.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { if [[ "$1" == nginx ]]; then echo "$LOG_DIR/nginx-error.log"; else echo "$LOG_DIR/$1.log"; fi; }

# show_log_tail <name>: the last lines of a process log, on stderr.
show_log_tail() {
  printf '%s--- last lines of %s ---%s\n' "$DIM" "$(log_file "$1")" "$RESET" >&2
  tail -n 30 "$(log_file "$1")" >&2 2>/dev/null || true
}

# Prints the pid of a running process started by these scripts, or nothing.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file" 2>/dev/null)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

# stop_pid <name>: SIGTERM, wait up to 15 s, then SIGKILL. Only the pid we recorded, never by process name.
stop_pid() {
  local name="$1" pid i
  pid="$(running_pid "$name")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) did not stop within 15 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  ok "stopped $name (pid $pid)"
}

# wait_ready <name> <url> [timeout s]: polls until 2xx; on timeout or early exit prints the log tail and fails.
wait_ready() {
  local name="$1" url="$2" timeout="${3:-30}" deadline
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if http_ok "$url" 1000; then
      ok "$name ready ($url)"
      return 0
    fi
    if ! running_pid "$name" >/dev/null; then
      show_log_tail "$name"
      die "$name exited during start-up (log above; full log: $(log_file "$name"))."
    fi
    sleep 0.3
  done
  show_log_tail "$name"
  die "$name did not become ready at $url within $timeout s (log above; full log: $(log_file "$name"))."
}

nginx_bin() {
  if have nginx; then command -v nginx; elif [[ -x /usr/sbin/nginx ]]; then echo /usr/sbin/nginx; else return 1; fi
}

NGINX_HINT='nginx not found: run `apt-get install -y nginx`, or `make up` once.'
