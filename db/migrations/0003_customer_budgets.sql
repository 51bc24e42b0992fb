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
