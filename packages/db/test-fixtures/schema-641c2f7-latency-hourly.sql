-- Schema fixture for packages/db/src/upgrade.int.test.ts: the database as `gatewayctl migrate` left it at commit
-- 641c2f7 (2026-11-23): migrations 0001, 0003 and the first 0004_latency_hourly (later renamed and replaced).
-- Generated from git history, not edited: `git show 641c2f7:<file>` of each file below, in the order migrate()
-- applied them, then the schema_migrations rows it recorded. Do not update it when the schema changes: it is the
-- old schema that the upgrade test starts from.

-- ===== db/init.sql @ 641c2f7
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

-- ===== db/migrations/0001_pricing_spend.sql @ 641c2f7
-- Issue 4B: per-customer prices and markup, prices recorded on every ledger row, per-month spend counters.

-- Per-customer price lists: a pricing row with customer_id applies to that customer only and beats the default rows
-- (customer_id NULL). The default row of a provider is model '*': it prices every model without a row of its own.
ALTER TABLE pricing ADD COLUMN IF NOT EXISTS customer_id uuid REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE pricing DROP CONSTRAINT IF EXISTS pricing_provider_model_effective_from_key;
ALTER TABLE pricing DROP CONSTRAINT IF EXISTS pricing_key;
ALTER TABLE pricing
  ADD CONSTRAINT pricing_key UNIQUE NULLS NOT DISTINCT (provider, model, customer_id, effective_from);
CREATE INDEX IF NOT EXISTS pricing_customer_idx ON pricing (customer_id) WHERE customer_id IS NOT NULL;

-- Markup (percent, may be negative for a discount) applied to the default prices for this customer; never to the
-- customer's own price list. 0 = the default prices.
ALTER TABLE customers
  ADD COLUMN IF NOT EXISTS price_markup_percent numeric(9, 4) NOT NULL DEFAULT 0;
ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_price_markup_percent_check;
ALTER TABLE customers
  ADD CONSTRAINT customers_price_markup_percent_check CHECK (price_markup_percent >= -100);

-- The prices each ledger row was charged at (after markup), so a row can be re-checked without the pricing table:
-- input_cost = prompt_tokens × input_price_per_million / 1e6 (rounded half-up to 9 decimals), and so on.
-- gpu_watts and electricity_price_per_kwh are the power and kWh price its energy was costed at.
ALTER TABLE usage_events
  ADD COLUMN IF NOT EXISTS input_price_per_million numeric(18, 9) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS output_price_per_million numeric(18, 9) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS request_price numeric(18, 9) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS markup_percent numeric(9, 4) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS gpu_watts numeric(18, 9) NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS electricity_price_per_kwh numeric(18, 9) NOT NULL DEFAULT 0;

-- Spend per customer and billing period (the first day of the calendar month in BILLING_TIME_ZONE), updated in the
-- same transaction as the ledger insert and only for rows actually inserted: it always equals the sum of usage_events.
CREATE TABLE IF NOT EXISTS customer_spend (
  customer_id        uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  period             date NOT NULL,
  requests           bigint NOT NULL DEFAULT 0,
  prompt_tokens      bigint NOT NULL DEFAULT 0,
  completion_tokens  bigint NOT NULL DEFAULT 0,
  total_cost         numeric(20, 9) NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, period)
);

-- ===== db/migrations/0003_customer_budgets.sql @ 641c2f7
-- Budgets (issue 4, item 5): how a customer's budget is counted, and the soft-limit warning.
-- budget_period: 'monthly' resets every calendar month in BILLING_TIME_ZONE; 'one_off' never resets (a prepaid amount).
-- soft_limit_percent: when spend reaches this share of the budget, a webhook and a warning log line fire once per
-- period (NULL = the gateway's BUDGET_SOFT_LIMIT_PERCENT). webhook_url: where that POST goes (NULL = BUDGET_WEBHOOK_URL).
ALTER TABLE customers
  ADD COLUMN IF NOT EXISTS budget_period text NOT NULL DEFAULT 'monthly',
  ADD COLUMN IF NOT EXISTS soft_limit_percent smallint,
  ADD COLUMN IF NOT EXISTS webhook_url text;

ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_budget_period_check;
ALTER TABLE customers
  ADD CONSTRAINT customers_budget_period_check CHECK (budget_period IN ('monthly', 'one_off'));
ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_soft_limit_percent_check;
ALTER TABLE customers
  ADD CONSTRAINT customers_soft_limit_percent_check
  CHECK (soft_limit_percent IS NULL OR soft_limit_percent BETWEEN 1 AND 100);
ALTER TABLE customers DROP CONSTRAINT IF EXISTS customers_webhook_url_check;
ALTER TABLE customers
  ADD CONSTRAINT customers_webhook_url_check
  CHECK (webhook_url IS NULL OR (length(webhook_url) <= 2000 AND webhook_url ~ '^https?://'));

-- ===== db/migrations/0004_latency_hourly.sql @ 641c2f7
-- Issue 5: latency and time-to-first-token percentiles for the dashboard without reading raw rows.
-- latency_hourly is a narrow rollup (no customer or key) kept by the billing worker in the same transaction as the
-- ledger insert. Each histogram is a bigint[] of LATENCY_HISTOGRAM_BUCKETS counts (packages/contracts
-- latency-histogram.ts): element 1 counts values under 1 ms, element i (2..63) values in [1.25^(i-2), 1.25^(i-1)) ms,
-- element 64 everything from 1.25^62 ms (about 17 minutes) up. Percentiles read from it are within ±12 %.
CREATE TABLE IF NOT EXISTS latency_hourly (
  bucket         timestamptz NOT NULL,
  model          text NOT NULL,
  provider       text NOT NULL,
  upstream_host  text,
  requests       bigint NOT NULL DEFAULT 0,
  latency_hist   bigint[] NOT NULL,
  ttft_hist      bigint[] NOT NULL,
  CONSTRAINT latency_hourly_key UNIQUE NULLS NOT DISTINCT (bucket, model, provider, upstream_host)
);
CREATE INDEX IF NOT EXISTS latency_hourly_bucket_idx ON latency_hourly (bucket DESC);

-- Element-wise sum of two histograms (used by the rollup upsert; a missing element counts as 0).
CREATE OR REPLACE FUNCTION histogram_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}'::bigint[])
  FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

-- The log view hides health checks and 404s unless asked: an index for the newest-first listing without them.
CREATE INDEX IF NOT EXISTS request_logs_status_time_idx ON request_logs (status, occurred_at DESC);

INSERT INTO schema_migrations (version) VALUES ('0000_init'),('0001_pricing_spend'),('0003_customer_budgets'),('0004_latency_hourly');
