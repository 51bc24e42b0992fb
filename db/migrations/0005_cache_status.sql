-- Issue 6: the response cache's verdict on each ledger row: 'hit' (served from the cache, no upstream call; the
-- provider and upstream_model are those that produced the cached answer, upstream_host is NULL), 'miss' (looked up,
-- then served upstream), 'bypass' (not looked up: not a deterministic request, or the client asked). NULL: no cache
-- applied (the cache was off, an endpoint it does not cover, or a row written before this migration).
ALTER TABLE usage_events ADD COLUMN IF NOT EXISTS cache_status text;
ALTER TABLE usage_events DROP CONSTRAINT IF EXISTS usage_events_cache_status_check;
-- NOT VALID, then VALIDATE: the check of the existing rows (all NULL) does not block ledger inserts meanwhile.
ALTER TABLE usage_events
  ADD CONSTRAINT usage_events_cache_status_check CHECK (cache_status IN ('hit', 'miss', 'bypass')) NOT VALID;
ALTER TABLE usage_events VALIDATE CONSTRAINT usage_events_cache_status_check;
