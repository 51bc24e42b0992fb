-- Schema fixture for packages/db/src/upgrade.int.test.ts: the database as `gatewayctl migrate` left it at commit
-- e996a40 (2026-11-23): the oldest schema, init.sql alone (init.sql has not changed since; only migrations were added).
-- Generated from git history, not edited: `git show e996a40:<file>` of each file below, in the order migrate()
-- applied them, then the schema_migrations rows it recorded. Do not update it when the schema changes: it is the
-- old schema that the upgrade test starts from.

-- ===== db/init.sql @ e996a40
-- Ollama Gateway schema: the whole mission's tables. Applied by `gatewayctl migrate` (and the compose `migrate`
-- service) inside one transaction; every statement is idempotent. Later changes go to db/migrations/NNNN_name.sql.
-- Money is numeric (never float); token counts are integers; durations from Ollama are integer nanoseconds.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Migrations applied after init.sql (init.sql itself is recorded as version '0000_init').
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     text PRIMARY KEY,
  applied_at  timestamptz NOT NULL DEFAULT now()
);

-- Plans: monthly quotas and a price. NULL quota = unlimited.
CREATE TABLE IF NOT EXISTS plans (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                    text NOT NULL UNIQUE,
  monthly_request_quota   bigint CHECK (monthly_request_quota IS NULL OR monthly_request_quota >= 0),
  monthly_token_quota     bigint CHECK (monthly_token_quota IS NULL OR monthly_token_quota >= 0),
  monthly_price           numeric(14, 4) NOT NULL DEFAULT 0 CHECK (monthly_price >= 0),
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);

INSERT INTO plans (name, monthly_request_quota, monthly_token_quota, monthly_price) VALUES
  ('Free', 1000, 1000000, 0),
  ('Basic', 10000, 10000000, 9),
  ('Pro', 100000, 100000000, 49),
  ('Business', 1000000, 1000000000, 199),
  ('Enterprise', NULL, NULL, 0)
ON CONFLICT (name) DO NOTHING;

-- Customers: an app, a team or a paying customer. budget = monthly spending cap in the configured currency (NULL = none).
CREATE TABLE IF NOT EXISTS customers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email       text CHECK (email IS NULL OR length(email) <= 320),
  plan_id     uuid REFERENCES plans (id) ON DELETE SET NULL,
  budget      numeric(14, 4) CHECK (budget IS NULL OR budget >= 0),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS customers_email_key ON customers (lower(email)) WHERE email IS NOT NULL;

-- API keys: only a keyed hash (HMAC-SHA256 with the server secret, hex) of the secret is stored; the secret is shown once.
-- prefix is the visible start of the key (e.g. "sk-og-AbCd1234") so people can recognise it.
CREATE TABLE IF NOT EXISTS api_keys (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id        uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  name               text NOT NULL DEFAULT 'default' CHECK (length(name) BETWEEN 1 AND 200),
  prefix             text NOT NULL,
  secret_hash        text NOT NULL UNIQUE,
  is_admin           boolean NOT NULL DEFAULT false,
  allowed_models     text[],            -- NULL = all; glob patterns like 'llama3*'
  allowed_endpoints  text[],            -- NULL = all; e.g. '/v1/chat/completions', 'dialect:anthropic'
  rpm_limit          integer CHECK (rpm_limit IS NULL OR rpm_limit > 0),
  tpm_limit          integer CHECK (tpm_limit IS NULL OR tpm_limit > 0),
  max_concurrency    integer CHECK (max_concurrency IS NULL OR max_concurrency > 0),
  priority           smallint NOT NULL DEFAULT 0,
  expires_at         timestamptz,
  revoked_at         timestamptz,
  last_used_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS api_keys_customer_idx ON api_keys (customer_id, created_at DESC);

-- Billing prices per model (and provider), effective from a date: the row in force at a request's time prices it.
-- model may be an exact name or a glob ('llama3*'); '*' is the default price.
CREATE TABLE IF NOT EXISTS pricing (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider            text NOT NULL DEFAULT 'ollama',
  model               text NOT NULL,
  input_per_million   numeric(14, 6) NOT NULL DEFAULT 0 CHECK (input_per_million >= 0),
  output_per_million  numeric(14, 6) NOT NULL DEFAULT 0 CHECK (output_per_million >= 0),
  per_request         numeric(14, 6) NOT NULL DEFAULT 0 CHECK (per_request >= 0),
  effective_from      timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z',
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, model, effective_from)
);

-- Reference prices of a hosted API (OpenAI by default) to show what the same traffic would have cost there.
CREATE TABLE IF NOT EXISTS reference_prices (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL UNIQUE,        -- e.g. 'gpt-4o-mini'
  input_per_million   numeric(14, 6) NOT NULL CHECK (input_per_million >= 0),
  output_per_million  numeric(14, 6) NOT NULL CHECK (output_per_million >= 0),
  is_default          boolean NOT NULL DEFAULT false,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
INSERT INTO reference_prices (name, input_per_million, output_per_million, is_default) VALUES
  ('gpt-4o-mini', 0.15, 0.60, true),
  ('gpt-4o', 2.50, 10.00, false)
ON CONFLICT (name) DO NOTHING;

-- Operator settings editable at run time (electricity price, GPU watts, currency...). Env gives the defaults.
CREATE TABLE IF NOT EXISTS settings (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The ledger: exactly one row per request (request_id unique), priced when written.
CREATE TABLE IF NOT EXISTS usage_events (
  id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id               text NOT NULL UNIQUE,
  occurred_at              timestamptz NOT NULL,
  recorded_at              timestamptz NOT NULL DEFAULT now(),
  customer_id              uuid REFERENCES customers (id) ON DELETE SET NULL,
  api_key_id               uuid REFERENCES api_keys (id) ON DELETE SET NULL,
  model                    text NOT NULL,
  upstream_model           text,
  provider                 text NOT NULL,
  upstream_host            text,
  endpoint                 text NOT NULL,
  dialect                  text NOT NULL,
  status                   smallint NOT NULL,
  error_code               text,
  stream                   boolean NOT NULL,
  prompt_tokens            integer NOT NULL DEFAULT 0,
  completion_tokens        integer NOT NULL DEFAULT 0,
  total_tokens             integer GENERATED ALWAYS AS (prompt_tokens + completion_tokens) STORED,
  total_ms                 double precision NOT NULL,
  ttft_ms                  double precision,
  gateway_overhead_ms      double precision,
  load_duration_ns         bigint,
  prompt_eval_duration_ns  bigint,
  eval_duration_ns         bigint,
  total_duration_ns        bigint,
  client_ip                text,
  user_agent               text,
  pricing_id               uuid REFERENCES pricing (id) ON DELETE SET NULL,
  input_cost               numeric(18, 9) NOT NULL DEFAULT 0,
  output_cost              numeric(18, 9) NOT NULL DEFAULT 0,
  request_cost             numeric(18, 9) NOT NULL DEFAULT 0,
  total_cost               numeric(18, 9) NOT NULL DEFAULT 0,
  energy_wh                numeric(18, 9) NOT NULL DEFAULT 0,
  electricity_cost         numeric(18, 9) NOT NULL DEFAULT 0,
  reference_cost           numeric(18, 9) NOT NULL DEFAULT 0,
  currency                 text NOT NULL DEFAULT 'USD'
);
CREATE INDEX IF NOT EXISTS usage_events_time_idx ON usage_events (occurred_at DESC);
CREATE INDEX IF NOT EXISTS usage_events_key_time_idx ON usage_events (api_key_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS usage_events_customer_time_idx ON usage_events (customer_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS usage_events_model_time_idx ON usage_events (model, occurred_at DESC);

-- Hourly rollups, kept in step with usage_events in the same transaction; the dashboard reads these first.
CREATE TABLE IF NOT EXISTS usage_hourly (
  bucket                 timestamptz NOT NULL,
  customer_id            uuid,
  api_key_id             uuid,
  model                  text NOT NULL,
  provider               text NOT NULL,
  upstream_host          text,
  requests               bigint NOT NULL DEFAULT 0,
  errors                 bigint NOT NULL DEFAULT 0,
  stream_requests        bigint NOT NULL DEFAULT 0,
  prompt_tokens          bigint NOT NULL DEFAULT 0,
  completion_tokens      bigint NOT NULL DEFAULT 0,
  total_ms_sum           double precision NOT NULL DEFAULT 0,
  ttft_ms_sum            double precision NOT NULL DEFAULT 0,
  ttft_count             bigint NOT NULL DEFAULT 0,
  eval_duration_ns_sum   bigint NOT NULL DEFAULT 0,
  total_cost             numeric(20, 9) NOT NULL DEFAULT 0,
  energy_wh              numeric(20, 9) NOT NULL DEFAULT 0,
  electricity_cost       numeric(20, 9) NOT NULL DEFAULT 0,
  reference_cost         numeric(20, 9) NOT NULL DEFAULT 0,
  CONSTRAINT usage_hourly_key UNIQUE NULLS NOT DISTINCT (bucket, customer_id, api_key_id, model, provider, upstream_host)
);
CREATE INDEX IF NOT EXISTS usage_hourly_bucket_idx ON usage_hourly (bucket DESC);
CREATE INDEX IF NOT EXISTS usage_hourly_customer_idx ON usage_hourly (customer_id, bucket DESC);
CREATE INDEX IF NOT EXISTS usage_hourly_key_idx ON usage_hourly (api_key_id, bucket DESC);

-- Request and response bodies (when body logging is on), searchable with Postgres full-text search.
CREATE TABLE IF NOT EXISTS request_logs (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id     text NOT NULL UNIQUE,
  occurred_at    timestamptz NOT NULL,
  customer_id    uuid,
  api_key_id     uuid,
  model          text NOT NULL,
  endpoint       text NOT NULL,
  dialect        text NOT NULL,
  status         smallint NOT NULL,
  stream         boolean NOT NULL DEFAULT false,
  duration_ms    double precision NOT NULL,
  request_body   jsonb,
  response_body  jsonb,
  error          text,
  search         tsvector GENERATED ALWAYS AS (
                   jsonb_to_tsvector('simple', coalesce(request_body, '{}'::jsonb), '["string"]')
                   || jsonb_to_tsvector('simple', coalesce(response_body, '{}'::jsonb), '["string"]')
                   || to_tsvector('simple', coalesce(error, ''))
                 ) STORED
);
CREATE INDEX IF NOT EXISTS request_logs_time_idx ON request_logs (occurred_at DESC);
CREATE INDEX IF NOT EXISTS request_logs_key_time_idx ON request_logs (api_key_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS request_logs_customer_time_idx ON request_logs (customer_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS request_logs_search_idx ON request_logs USING gin (search);

-- What the gateway learnt about each model from Ollama (/api/show, /api/tags).
CREATE TABLE IF NOT EXISTS model_metadata (
  model             text PRIMARY KEY,
  family            text,
  parameter_size    text,
  quantization      text,
  context_length    integer,
  embedding_length  integer,
  capabilities      text[] NOT NULL DEFAULT '{}',
  size_bytes        bigint,
  digest            text,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

INSERT INTO schema_migrations (version) VALUES ('0000_init');
