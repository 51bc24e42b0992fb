#!/usr/bin/env bash
# `make up` (and `make demo` = up.sh --demo): install what is missing, build, prepare the database, start every
# service and nginx in the background, and say what to do next. Safe to run again: running pieces are left alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

DEMO=false
[[ "${1:-}" == --demo ]] && DEMO=true

# ---------------------------------------------------------------------------------------------------------------
check_node() {
  step "Checking Node.js"
  have node || die "Node.js is not installed. Install Node 20 or newer (https://nodejs.org, or \`nvm install\` with .nvmrc)."
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= 20)) || die "Node $(node -v) is too old: this project needs Node 20 or newer (see .nvmrc)."
  ok "node $(node -v)"
}

npm_ci() {
  # npm ci refuses a lock file that lacks other platforms' optional packages (written against a partial registry
  # mirror); then install from package.json + lock file without rewriting either.
  npm ci --no-audit --no-fund || {
    warn "npm ci refused package-lock.json (above): falling back to npm install --no-save"
    npm install --no-audit --no-fund --no-save
  }
}

install_npm_deps() {
  step "npm dependencies"
  if [[ ! -d node_modules ]]; then
    info "node_modules is missing: running npm ci (a minute or two the first time)"
    npm_ci
  elif [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    info "package-lock.json changed since the last install: running npm ci"
    npm_ci
  else
    ok "node_modules is up to date"
  fi
}

build() {
  step "Building (npm run build)"
  npm run build --silent
  ok "built"
}

# ---------------------------------------------------------------------------------------------------------------
apt_install() {
  if is_debian && is_root; then
    info "installing: apt-get install -y $*"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  elif is_debian; then
    die "missing: $*. Install with: sudo apt-get install -y $* — then run make up again."
  else
    die "missing: $*. Install them with your package manager (e.g. brew install postgresql@16 redis nginx), start Postgres and Redis, then run make up again."
  fi
}

ensure_system_packages() {
  step "Postgres, Redis, nginx"
  local missing=()
  local db_host redis_host
  db_host="$(url_part "$DATABASE_URL" hostname)"
  redis_host="$(url_part "$REDIS_URL" hostname)"
  if is_local_host "$db_host" && ! have psql; then missing+=(postgresql); fi
  if is_local_host "$redis_host" && ! have redis-server; then missing+=(redis-server); fi
  nginx_bin >/dev/null || missing+=(nginx)
  if ((${#missing[@]} > 0)); then apt_install "${missing[@]}"; fi
  ok "installed"
}

start_postgres() {
  local host port version
  host="$(url_part "$DATABASE_URL" hostname)"
  port="$(url_part "$DATABASE_URL" port)"
  if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then
    ok "Postgres answers on $host:$port"
    return
  fi
  is_local_host "$host" || die "Postgres at $host:$port (DATABASE_URL) does not answer. Start it, or point DATABASE_URL elsewhere."
  have pg_ctlcluster || die "Postgres does not answer on $host:$port. Start it (e.g. sudo service postgresql start) and run make up again."
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  info "starting Postgres $version: pg_ctlcluster --skip-systemctl-redirect $version main start"
  if is_root; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  else
    sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
      die "could not start Postgres. Start it yourself (sudo service postgresql start) and run make up again."
  fi
  for _ in $(seq 1 50); do pg_isready -q -h "$host" -p "$port" && break || sleep 0.2; done
  pg_isready -q -h "$host" -p "$port" || die "Postgres did not come up on $host:$port; see /var/log/postgresql/."
  ok "Postgres started"
}

# A fresh Debian Postgres only trusts the local socket (peer auth), not passwordless TCP logins. If DATABASE_URL cannot
# log in and we are root on the database machine, create a role with a random password and write it into .env.
ensure_postgres_login() {
  have psql || return 0
  local admin_url
  admin_url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/postgres"; console.log(u.toString())' "$DATABASE_URL")"
  if psql "$admin_url" -Atqc 'select 1' >/dev/null 2>&1; then
    ok "Postgres accepts $(url_part "$DATABASE_URL" username)@$(url_part "$DATABASE_URL" hostname)"
    return
  fi
  local host
  host="$(url_part "$DATABASE_URL" hostname)"
  if ! is_root || ! is_local_host "$host" || ! have runuser; then
    psql "$admin_url" -Atqc 'select 1' || true
    die "cannot log in to Postgres with DATABASE_URL (error above). Fix DATABASE_URL in .env (user, password, host)."
  fi
  local password
  password="$(node -p 'require("node:crypto").randomBytes(18).toString("hex")')"
  info "Postgres refused a passwordless login: creating role ollama_gateway (CREATEDB) with a random password"
  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -v pw="$password" <<'SQL'
SELECT format('CREATE ROLE ollama_gateway LOGIN CREATEDB PASSWORD %L', :'pw')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ollama_gateway') \gexec
SELECT format('ALTER ROLE ollama_gateway LOGIN CREATEDB PASSWORD %L', :'pw') \gexec
SQL
  local port url
  port="$(url_part "$DATABASE_URL" port)"
  url="postgres://ollama_gateway:$password@127.0.0.1:$port/ollama_gateway"
  set_env_value DATABASE_URL "$url"
  set_env_value TEST_DATABASE_URL "postgres://ollama_gateway:$password@127.0.0.1:$port/postgres"
  export DATABASE_URL="$url" TEST_DATABASE_URL="postgres://ollama_gateway:$password@127.0.0.1:$port/postgres"
  ok "DATABASE_URL and TEST_DATABASE_URL written to .env"
}

start_redis() {
  local host port
  host="$(url_part "$REDIS_URL" hostname)"
  port="$(url_part "$REDIS_URL" port)"
  if redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG; then
    ok "Redis answers on $host:$port"
    return
  fi
  is_local_host "$host" || die "Redis at $REDIS_URL does not answer. Start it, or point REDIS_URL elsewhere."
  mkdir -p "$RUN_DIR/redis"
  info "starting Redis: redis-server --daemonize yes --bind 127.0.0.1 --port $port --appendonly yes --dir .run/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --appendonly yes --dir "$RUN_DIR/redis" \
    --logfile "$LOG_DIR/redis.log" --pidfile "$PID_DIR/redis.pid"
  for _ in $(seq 1 50); do redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG && break || sleep 0.1; done
  redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG || die "Redis did not start; see $LOG_DIR/redis.log."
  ok "Redis started (data in .run/redis)"
}

# ---------------------------------------------------------------------------------------------------------------
random_secret() { node -p 'require("node:crypto").randomBytes(24).toString("base64url")'; }

# set_env_value KEY VALUE: replaces KEY=… in .env, or appends it.
set_env_value() {
  local key="$1" value="$2" file="$ROOT/.env"
  if grep -q "^$key=" "$file"; then
    KEY="$key" VALUE="$value" node -e 'const fs = require("node:fs"); const f = process.argv[1];
      const lines = fs.readFileSync(f, "utf8").split("\n").map((l) => l.startsWith(process.env.KEY + "=") ? `${process.env.KEY}=${process.env.VALUE}` : l);
      fs.writeFileSync(f, lines.join("\n"))' "$file"
  else
    printf '%s=%s\n' "$key" "$value" >>"$file"
  fi
}

ensure_env_file() {
  step "Configuration (.env)"
  if [[ "${ENV_FILE:-}" == none ]]; then
    ok "ENV_FILE=none: using the environment only"
    return
  fi
  local created=false filled=()
  if [[ ! -f .env ]]; then
    cp .env.example .env
    chmod 600 .env
    created=true
  fi
  for key in KEY_HASH_SECRET INTERNAL_SECRET ADMIN_TOKEN; do
    if ! grep -Eq "^$key=.{16,}" .env; then
      set_env_value "$key" "$(random_secret)"
      filled+=("$key")
    fi
  done
  if $created; then
    ok "created .env from .env.example with random ${filled[*]}"
    info "keep .env private: KEY_HASH_SECRET hashes your API keys (changing it invalidates every key)"
  elif ((${#filled[@]} > 0)); then
    ok "filled empty ${filled[*]} in .env"
  else
    ok ".env present"
  fi
  load_env
}

migrate() {
  step "Database schema (gatewayctl migrate)"
  node packages/cli/dist/main.js migrate
}

# ---------------------------------------------------------------------------------------------------------------
start_node_service() {
  local name="$1" entry="$2" url="$3" host port pid
  host="$(url_part "$url" hostname)"
  port="$(url_part "$url" port)"
  if pid="$(running_pid "$name")"; then
    if http_ok "$url/health" 2000; then
      ok "$name already running (pid $pid)"
      return
    fi
    # Started earlier with another port (or hung): replace it.
    info "$name (pid $pid) does not answer at $url: restarting it"
    stop_pid "$name"
  fi
  if port_open "$host" "$port"; then
    die "port $port ($name) is taken by another program. Stop it, or choose another port in .env (see docs/configuration.md)."
  fi
  nohup node "$entry" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
  info "started $name (pid $!, log .run/logs/$name.log)"
}

start_ollama_sim() {
  step "Ollama simulator (demo)"
  export OLLAMA_URL="http://127.0.0.1:$OLLAMA_SIM_PORT"
  if running_pid ollama-sim >/dev/null && ! http_ok "$OLLAMA_URL/api/version" 2000; then
    info "the running simulator does not answer at $OLLAMA_URL: restarting it"
    stop_pid ollama-sim
  fi
  if ! running_pid ollama-sim >/dev/null; then
    port_open 127.0.0.1 "$OLLAMA_SIM_PORT" &&
      die "port $OLLAMA_SIM_PORT (OLLAMA_SIM_PORT) is taken by another program. Choose another in .env."
    OLLAMA_SIM_HOST=127.0.0.1 nohup node tools/ollama-sim/dist/main.js --port "$OLLAMA_SIM_PORT" \
      >>"$LOG_DIR/ollama-sim.log" 2>&1 </dev/null &
    echo $! >"$(pid_file ollama-sim)"
  fi
  wait_ready ollama-sim "$OLLAMA_URL/api/version" 15
}

start_services() {
  step "Services"
  # A gateway started earlier against another Ollama (make up, then make demo) is restarted with the new OLLAMA_URL.
  if running_pid gateway >/dev/null && [[ "$(cat "$RUN_DIR/gateway.ollama_url" 2>/dev/null)" != "$OLLAMA_URL" ]]; then
    info "OLLAMA_URL changed to $OLLAMA_URL: restarting the gateway"
    stop_pid gateway
  fi
  start_node_service gateway services/gateway/dist/main.js "http://$GATEWAY_HOST:$GATEWAY_PORT"
  echo "$OLLAMA_URL" >"$RUN_DIR/gateway.ollama_url"
  start_node_service billing-worker services/billing-worker/dist/main.js "http://$BILLING_WORKER_HOST:$BILLING_WORKER_PORT"
  start_node_service logger services/logger/dist/main.js "http://$LOGGER_HOST:$LOGGER_PORT"
  start_node_service dashboard services/dashboard/dist/server/main.js "http://$DASHBOARD_HOST:$DASHBOARD_PORT"
  wait_ready gateway "http://$GATEWAY_HOST:$GATEWAY_PORT/ready"
  wait_ready billing-worker "http://$BILLING_WORKER_HOST:$BILLING_WORKER_PORT/ready"
  wait_ready logger "http://$LOGGER_HOST:$LOGGER_PORT/ready"
  wait_ready dashboard "http://$DASHBOARD_HOST:$DASHBOARD_PORT/ready"
  DASHBOARD_URL="http://$([[ $DASHBOARD_HOST == 0.0.0.0 ]] && echo 127.0.0.1 || echo "$DASHBOARD_HOST"):$DASHBOARD_PORT"
}

start_nginx() {
  step "nginx (edge on $API_HOST:$API_PORT)"
  local bin conf
  bin="$(nginx_bin)" || die "$NGINX_HINT"
  mkdir -p "$RUN_DIR/nginx/tmp"
  chmod 755 "$RUN_DIR" "$RUN_DIR/nginx" "$RUN_DIR/nginx/tmp"
  conf="$(GATEWAY_UPSTREAM="${GATEWAY_UPSTREAM:-127.0.0.1:$GATEWAY_PORT}" node scripts/render-nginx.mjs --out "$RUN_DIR/nginx/nginx.conf")"
  "$bin" -t -q -p "$RUN_DIR/nginx" -c "$conf" -e "$LOG_DIR/nginx-error.log" ||
    die "the rendered nginx config $conf is invalid (see above)."
  if pid="$(running_pid nginx)"; then
    "$bin" -p "$RUN_DIR/nginx" -c "$conf" -e "$LOG_DIR/nginx-error.log" -s reload
    ok "nginx already running (pid $pid): configuration reloaded"
  else
    if port_open "$(url_part "http://$API_HOST" hostname)" "$API_PORT"; then
      die "port $API_PORT (API_PORT) is taken by another program (a system nginx?). Stop it or set API_PORT in .env."
    fi
    "$bin" -p "$RUN_DIR/nginx" -c "$conf" -e "$LOG_DIR/nginx-error.log"
    ok "nginx started (config $conf)"
  fi
  local url="http://$API_HOST:$API_PORT"
  [[ "$API_HOST" == 0.0.0.0 ]] && url="http://127.0.0.1:$API_PORT"
  wait_ready nginx "$url/ready" 15
  API_URL="$url"
}

check_ollama() {
  step "Ollama ($OLLAMA_URL)"
  if http_ok "$OLLAMA_URL/api/version" 3000; then
    ok "Ollama answers"
    OLLAMA_OK=true
  else
    OLLAMA_OK=false
    warn "Ollama does not answer at $OLLAMA_URL (OLLAMA_URL)."
    warn "Start it (ollama serve), set OLLAMA_URL in .env and run make up again — or try everything with the"
    warn "built-in simulator: make down && make demo"
  fi
}

# ---------------------------------------------------------------------------------------------------------------
demo_key() {
  step "Demo customer and key"
  local file="$RUN_DIR/demo-key.json" key=''
  if [[ -f "$file" ]]; then
    key="$(node -p 'require(process.argv[1]).key' "$file")"
    if ! node -e 'fetch(process.argv[1], { headers: { authorization: "Bearer " + process.argv[2] } })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$API_URL/v1/models" "$key"; then
      key=''
    fi
  fi
  if [[ -z "$key" ]]; then
    local customer
    customer="$(node packages/cli/dist/main.js create-customer "Demo" "demo@example.test" --json)"
    customer="$(node -p 'JSON.parse(process.argv[1]).id' "$customer")"
    node packages/cli/dist/main.js generate-key "$customer" --name demo --json >"$file"
    chmod 600 "$file"
    key="$(node -p 'require(process.argv[1]).key' "$file")"
    ok "created customer \"Demo\" and a key (saved in .run/demo-key.json)"
  else
    ok "reusing the demo key in .run/demo-key.json"
  fi
  DEMO_KEY="$key"
}

demo_data() {
  step "Demo data for the dashboard"
  if [[ -f "$RUN_DIR/demo-seeded" ]]; then
    ok "history already seeded (delete .run/demo-seeded to seed again)"
  else
    info "seeding 30 days of realistic history (npm run seed; a few seconds)"
    node tools/seed/dist/main.js --events 30000 --logs 3000 --days 30 --customers 8 >>"$LOG_DIR/seed.log" 2>&1 ||
      die "seeding failed; see $LOG_DIR/seed.log"
    touch "$RUN_DIR/demo-seeded"
    ok "seeded (see .run/logs/seed.log)"
  fi
  info "sending live requests through nginx with the demo key"
  node scripts/demo-traffic.mjs "$API_URL" "$DEMO_KEY" 24 || warn "some demo requests failed (see above)"
}

print_next_steps() {
  printf '\n%sollama-gateway is up.%s\n\n' "$BOLD" "$RESET"
  printf '  API (OpenAI, Anthropic, Ollama dialects)  %s\n' "$API_URL"
  printf '    OpenAI base URL                         %s/v1\n' "$API_URL"
  printf '  Dashboard                                 %s  (log in with ADMIN_TOKEN from .env)\n' "$DASHBOARD_URL"
  printf '  Ollama upstream                           %s\n' "$OLLAMA_URL"
  printf '  Logs                                      %s/  (make logs)\n' "$LOG_DIR"
  printf '  Status / stop                             make status / make down\n\n'
  if $DEMO; then
    printf '%sDashboard:%s open %s and log in with this ADMIN_TOKEN (from .env):\n  %s\n\n' "$BOLD" "$RESET" \
      "$DASHBOARD_URL" "$ADMIN_TOKEN"
    printf '%sTry it (simulated model, ready to paste):%s\n\n' "$BOLD" "$RESET"
    cat <<CURL
  curl $API_URL/v1/chat/completions \\
    -H "Authorization: Bearer $DEMO_KEY" \\
    -H "Content-Type: application/json" \\
    -d '{"model":"llama3.2:latest","messages":[{"role":"user","content":"Hello!"}]}'

CURL
  else
    printf '%sNext:%s\n\n' "$BOLD" "$RESET"
    cat <<NEXT
  npx gatewayctl create-customer "Acme" ops@acme.test        # prints the customer id
  npx gatewayctl generate-key <customer-id>                   # prints the key once: sk-og-…

  curl $API_URL/v1/chat/completions \\
    -H "Authorization: Bearer sk-og-…" \\
    -H "Content-Type: application/json" \\
    -d '{"model":"llama3.2","messages":[{"role":"user","content":"Hello!"}]}'

NEXT
    if ! ${OLLAMA_OK:-false}; then
      printf '  %sOllama is not reachable yet: see the warning above, or run make demo.%s\n\n' "$YELLOW" "$RESET"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------------------------
main() {
  mkdir -p "$LOG_DIR" "$PID_DIR"
  load_env
  check_node
  install_npm_deps
  build
  ensure_env_file
  ensure_system_packages
  step "Starting Postgres and Redis if needed"
  start_postgres
  start_redis
  ensure_postgres_login
  migrate
  mkdir -p "$SPOOL_DIR"
  if $DEMO; then start_ollama_sim; fi
  start_services
  start_nginx
  check_ollama
  if $DEMO; then
    demo_key
    demo_data
  fi
  print_next_steps
}

main "$@"
