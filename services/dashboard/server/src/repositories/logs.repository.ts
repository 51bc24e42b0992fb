import { type Db, sql } from '@ollama-gateway/db';
import { moneyText } from './usage-sums.sql.js';

/**
 * Noise hidden from the log list unless asked (includeNoise): 404s for URLs that do not exist (the gateway's
 * unknown_url answer, "Invalid URL (…)": scanners and typos), and the polls clients and probes send all day without a
 * prompt (health checks, version and model listings). A 404 for a model that does not exist is a real request and
 * stays visible.
 */
export const NOISE_ENDPOINTS = [
  '/',
  '/health',
  '/ready',
  '/metrics',
  '/favicon.ico',
  '/api/version',
  '/api/tags',
  '/api/ps',
  '/v1/models',
] as const;

export interface LogFilters {
  q?: string | undefined;
  errorsOnly: boolean;
  model?: string | undefined;
  customerId?: string | undefined;
  apiKeyId?: string | undefined;
  dialect?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  includeNoise: boolean;
  /** Keyset position: rows strictly older than (occurredAt, id). occurredAt is an exact (µs) timestamp text. */
  before?: { occurredAt: string; id: string } | undefined;
  limit: number;
}

export interface LogListRow {
  id: string;
  /** occurred_at with its microseconds (the cursor needs them; a JS Date keeps milliseconds). */
  occurred_at_exact: string;
  request_id: string;
  occurred_at: Date;
  customer_id: string | null;
  customer_name: string | null;
  api_key_id: string | null;
  key_prefix: string | null;
  model: string;
  endpoint: string;
  dialect: string;
  status: number;
  stream: boolean;
  duration_ms: number;
  preview: string;
  error: string | null;
}

export interface LogDetailRow extends LogListRow {
  request_body: unknown;
  response_body: unknown;
}

export interface LedgerRow {
  prompt_tokens: number;
  completion_tokens: number;
  total_ms: number;
  ttft_ms: number | null;
  gateway_overhead_ms: number | null;
  load_ms: number | null;
  prompt_eval_ms: number | null;
  eval_ms: number | null;
  upstream_host: string | null;
  provider: string;
  total_cost: string;
  energy_wh: string;
  electricity_cost: string;
  reference_cost: string;
  currency: string;
}

export interface LogsRepository {
  list(filters: LogFilters): Promise<LogListRow[]>;
  find(requestId: string): Promise<LogDetailRow | null>;
  ledger(requestId: string): Promise<LedgerRow | null>;
}

/** The conversation a body carries: chat `messages`, or a Responses-API `input` array. */
const MESSAGES = `CASE
  WHEN jsonb_typeof(l.request_body->'messages') = 'array' THEN l.request_body->'messages'
  WHEN jsonb_typeof(l.request_body->'input') = 'array' THEN l.request_body->'input'
  ELSE '[]'::jsonb END`;

/**
 * The prompt excerpt: the text of the last user message (OpenAI/Anthropic/Ollama `messages[].content` as a string
 * or as text parts), else a string `prompt` (Ollama generate, OpenAI completions) or `input`; whitespace collapsed,
 * at most 161 characters (the service cuts to 160 with an ellipsis).
 */
const PREVIEW = sql.raw(`left(btrim(regexp_replace(left(coalesce(
  (SELECT CASE jsonb_typeof(m.value->'content')
            WHEN 'string' THEN m.value->>'content'
            WHEN 'array' THEN (
              SELECT string_agg(p.value->>'text', ' ' ORDER BY p.n)
              FROM jsonb_array_elements(m.value->'content') WITH ORDINALITY AS p(value, n)
              WHERE jsonb_typeof(p.value->'text') = 'string')
          END
   FROM jsonb_array_elements(${MESSAGES}) WITH ORDINALITY AS m(value, n)
   WHERE jsonb_typeof(m.value) = 'object' AND m.value->>'role' = 'user'
   ORDER BY m.n DESC LIMIT 1),
  CASE WHEN jsonb_typeof(l.request_body->'prompt') = 'string' THEN l.request_body->>'prompt' END,
  CASE WHEN jsonb_typeof(l.request_body->'input') = 'string' THEN l.request_body->>'input' END,
  ''), 4000), '\\s+', ' ', 'g')), 161)`);

const LIST_COLUMNS = sql`
  l.id::text AS id,
  to_char(l.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at_exact,
  l.request_id, l.occurred_at, l.customer_id, c.name AS customer_name, l.api_key_id, k.prefix AS key_prefix,
  l.model, l.endpoint, l.dialect, l.status, l.stream, l.duration_ms, l.error,
  ${PREVIEW} AS preview`;

/**
 * A search with at most this many matches reads them through the GIN index and sorts them (fast however old they
 * are); one with more walks the time index newest first, where the 20 newest matches come after a short walk. Asking
 * Postgres to choose with LIMIT 20 goes wrong for rare words: it walks the whole time index looking for them.
 */
const RARE_SEARCH_MATCHES = 2000;

/** True when the search has at most RARE_SEARCH_MATCHES matches (counted through the GIN index, stopping early). */
async function isRareSearch(db: Db, q: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM request_logs WHERE search @@ websearch_to_tsquery('simple', ${q})
      LIMIT ${RARE_SEARCH_MATCHES + 1}) m`.execute(db);
  return (rows[0]?.n ?? 0) <= RARE_SEARCH_MATCHES;
}

export function createLogsRepository(db: Db): LogsRepository {
  return {
    async list(f) {
      const where = [sql`true`];
      if (!f.includeNoise)
        where.push(
          sql`NOT (l.status = 404 AND coalesce(l.error, '') LIKE 'Invalid URL%') AND l.endpoint <> ALL(${sql.val([...NOISE_ENDPOINTS])}::text[])`,
        );
      if (f.errorsOnly) where.push(sql`l.status >= 400`);
      if (f.model) where.push(sql`l.model = ${f.model}`);
      if (f.customerId) where.push(sql`l.customer_id = ${f.customerId}`);
      if (f.apiKeyId) where.push(sql`l.api_key_id = ${f.apiKeyId}`);
      if (f.dialect) where.push(sql`l.dialect = ${f.dialect}`);
      if (f.from) where.push(sql`l.occurred_at >= ${f.from}`);
      if (f.to) where.push(sql`l.occurred_at < ${f.to}`);
      if (f.before)
        where.push(
          sql`(l.occurred_at, l.id) < (${f.before.occurredAt}::timestamptz, ${f.before.id}::bigint)`,
        );
      let source = sql`request_logs l`;
      if (f.q && (await isRareSearch(db, f.q))) {
        // MATERIALIZED keeps the planner from turning this back into a walk of the time index.
        source = sql`(WITH hits AS MATERIALIZED (
            SELECT id FROM request_logs WHERE search @@ websearch_to_tsquery('simple', ${f.q}))
          SELECT r.* FROM hits JOIN request_logs r USING (id)) l`;
      } else if (f.q) {
        where.push(sql`l.search @@ websearch_to_tsquery('simple', ${f.q})`);
      }
      const { rows } = await sql<LogListRow>`
        SELECT ${LIST_COLUMNS}
        FROM ${source}
        LEFT JOIN customers c ON c.id = l.customer_id
        LEFT JOIN api_keys k ON k.id = l.api_key_id
        WHERE ${sql.join(where, sql` AND `)}
        ORDER BY l.occurred_at DESC, l.id DESC
        LIMIT ${f.limit}`.execute(db);
      return rows;
    },

    async find(requestId) {
      const { rows } = await sql<LogDetailRow>`
        SELECT ${LIST_COLUMNS}, l.request_body, l.response_body
        FROM request_logs l
        LEFT JOIN customers c ON c.id = l.customer_id
        LEFT JOIN api_keys k ON k.id = l.api_key_id
        WHERE l.request_id = ${requestId}`.execute(db);
      return rows[0] ?? null;
    },

    async ledger(requestId) {
      const { rows } = await sql<LedgerRow>`
        SELECT e.prompt_tokens, e.completion_tokens, e.total_ms, e.ttft_ms, e.gateway_overhead_ms,
          (e.load_duration_ns / 1e6)::float8 AS load_ms,
          (e.prompt_eval_duration_ns / 1e6)::float8 AS prompt_eval_ms,
          (e.eval_duration_ns / 1e6)::float8 AS eval_ms,
          e.upstream_host, e.provider, e.currency,
          ${sql.raw(moneyText('e.total_cost'))} AS total_cost,
          ${sql.raw(moneyText('e.energy_wh'))} AS energy_wh,
          ${sql.raw(moneyText('e.electricity_cost'))} AS electricity_cost,
          ${sql.raw(moneyText('e.reference_cost'))} AS reference_cost
        FROM usage_events e WHERE e.request_id = ${requestId}`.execute(db);
      return rows[0] ?? null;
    },
  };
}
