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
